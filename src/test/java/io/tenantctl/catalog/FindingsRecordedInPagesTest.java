package io.tenantctl.catalog;

import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found sizing verify for 10,000 orgs with hundreds of findings each: recording ran two statements per finding (is it
 * open? then the upsert), each a round trip to the catalog — millions for one verify, in one transaction. Recorded by
 * verify's {@link FindingRepository.Sighting} a page of findings a statement, a transaction a page, the round trips grow
 * with the pages, not the findings, and the catalog ends as before: new ones first seen now, known ones keep their
 * first_seen and ack, a resolved one that came back is a new occurrence (first seen again, its old ack gone), and the
 * ids open before are said known.
 */
class FindingsRecordedInPagesTest {

    private static final int FINDINGS = 2_500;

    /** The driver's log of what it sends: one Sync ends each round trip (statement, batch or commit) this thread makes. */
    private static final Logger WIRE = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");

    private String url;
    private Catalog catalog;

    @BeforeEach
    void open() {
        url = TestCatalog.initialisedDatabase();
        catalog = Catalog.connect(url);
    }

    @AfterEach
    void close() {
        catalog.close();
    }

    @Test
    void recordingThousandsOfFindingsTakesAFewRoundTripsAndLeavesTheCatalogAsBefore() {
        TestCatalog.execute(url, "insert into findings (finding_id, kind, severity, org_id, pool_id, subject, detail, fix, first_seen, "
                + "last_seen, resolved_at, acked_until, ack_reason, acked_by) values "
                + "('F-open', 'schema_missing', 'problem', 'org-1', 'pool-0', 's1', 'old detail', 'old fix', now() - interval '5 days', "
                + "now() - interval '1 day', null, null, null, null), "
                + "('F-open-acked', 'schema_missing', 'problem', 'org-2', 'pool-0', 's2', 'old detail', 'old fix', now() - interval '10 days', "
                + "now() - interval '1 day', null, now() + interval '30 days', 'audit', 'oncall'), "
                + "('F-came-back', 'schema_missing', 'problem', 'org-3', 'pool-0', 's3', 'old detail', 'old fix', now() - interval '10 days', "
                + "now() - interval '2 days', now() - interval '1 day', now() + interval '30 days', 'audit', 'oncall'), "
                + "('F-untouched', 'schema_missing', 'problem', 'org-4', 'pool-0', 's4', 'old detail', 'old fix', now() - interval '10 days', "
                + "now() - interval '1 day', null, null, null, null)");
        List<FindingRepository.Finding> seen = new ArrayList<>();
        seen.add(finding("F-open", "org-1", "detail now"));
        seen.add(finding("F-open-acked", "org-2", "detail now"));
        seen.add(finding("F-came-back", "org-3", "detail now"));
        for (int i = 0; i < FINDINGS; i++) {
            seen.add(finding(String.format("F-new-%05d", i), "org-" + (10 + i / 100), "missing index " + i));
        }
        seen.add(finding("F-new-00007", "org-10", "seen twice, this one last")); // one id twice in a run: the later one's words
        Instant before = catalog.now();

        AtomicInteger roundTrips = new AtomicInteger();
        Thread self = Thread.currentThread();
        Handler syncs = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (Thread.currentThread() == self && String.valueOf(r.getMessage()).contains("FE=> Sync")) {
                    roundTrips.incrementAndGet();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        syncs.setLevel(Level.ALL);
        Level was = WIRE.getLevel();
        WIRE.setLevel(Level.FINEST);
        WIRE.addHandler(syncs);
        FindingRepository repo = catalog.findings();
        FindingRepository.Sighting sighting = repo.sighting();
        try {
            seen.forEach(sighting::add);
            sighting.flush();
        } finally {
            WIRE.removeHandler(syncs);
            WIRE.setLevel(was);
        }

        assertThat(roundTrips.get()).as("round trips to record %d findings", seen.size()).isPositive().isLessThan(seen.size() / 200);
        Map<String, FindingRepository.Sighted> sighted = new HashMap<>();
        sighting.forEach(s -> sighted.put(s.finding().findingId(), s));
        sighting.close();
        // a duplicate is F-new-00007 seen again by the same run: reported once, as it was first seen (new)
        assertThat(sighted.values().stream().filter(FindingRepository.Sighted::known).map(s -> s.finding().findingId()))
                .containsExactlyInAnyOrder("F-open", "F-open-acked");

        FindingRepository.Finding open = repo.find("F-open").orElseThrow();
        assertThat(open.detail()).isEqualTo("detail now");
        assertThat(open.fixCommand()).isEqualTo("tenantctl verify --fix --org org-1");
        assertThat(open.fixNote()).isEqualTo("creates what is missing");
        assertThat(open.firstSeen()).isBefore(before);
        assertThat(open.lastSeen()).isAfterOrEqualTo(before);
        assertThat(open.resolvedAt()).isNull();

        FindingRepository.Finding acked = repo.find("F-open-acked").orElseThrow();
        assertThat(acked.firstSeen()).isBefore(before);
        assertThat(acked.ackedUntil()).isAfter(before);
        assertThat(acked.ackReason()).isEqualTo("audit");
        assertThat(acked.ackedBy()).isEqualTo("oncall");

        FindingRepository.Finding cameBack = repo.find("F-came-back").orElseThrow();
        assertThat(cameBack.resolvedAt()).isNull();
        assertThat(cameBack.firstSeen()).isAfterOrEqualTo(before).isEqualTo(cameBack.lastSeen());
        assertThat(cameBack.ackedUntil()).isNull();
        assertThat(cameBack.ackReason()).isNull();
        assertThat(cameBack.ackedBy()).isNull();

        FindingRepository.Finding untouched = repo.find("F-untouched").orElseThrow();
        assertThat(untouched.lastSeen()).isBefore(before);
        assertThat(untouched.resolvedAt()).as("record resolves nothing").isNull();

        FindingRepository.Finding fresh = repo.find("F-new-02499").orElseThrow();
        assertThat(fresh).usingRecursiveComparison().ignoringFields("firstSeen", "lastSeen")
                .isEqualTo(finding("F-new-02499", "org-34", "missing index 2499"));
        assertThat(fresh.firstSeen()).isAfterOrEqualTo(before).isEqualTo(fresh.lastSeen());
        assertThat(repo.find("F-new-00007").orElseThrow().detail()).isEqualTo("seen twice, this one last");
        assertThat(sighted).hasSize(FINDINGS + 3);
        // a page a transaction: the first page's findings stamped by its one transaction (but the duplicate, seen again
        // in the last page), and three pages, three stamps (1,000 + 1,000 + the last 503 and the duplicate)
        assertThat(seen.subList(0, FindingRepository.PAGE)).filteredOn(f -> !f.findingId().equals("F-new-00007"))
                .extracting(f -> sighted.get(f.findingId()).finding().lastSeen()).containsOnly(open.lastSeen());
        assertThat(sighted.values().stream().map(s -> s.finding().lastSeen()).distinct()).hasSize(3);
    }

    private static FindingRepository.Finding finding(String id, String org, String detail) {
        return new FindingRepository.Finding(id, "schema_missing", "problem", org, "pool-0", "indexes of " + org, detail,
                "tenantctl verify --fix --org " + org + "   (creates what is missing)", "tenantctl verify --fix --org " + org,
                "creates what is missing", null, null, null, null, null, null);
    }
}
