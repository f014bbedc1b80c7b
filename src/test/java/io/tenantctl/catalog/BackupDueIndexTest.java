package io.tenantctl.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found probing a catalog of 10,000 orgs after a year of nightly backups (3 million backups rows): backup --due's
 * choice of the orgs due read every backup the catalog keeps, of every org, to find the few within their tier's
 * frequency — a cost that grows with the history kept (the enterprise tier keeps 90 days of 4-hourly backups: 540 an
 * org). Here 100 orgs with 400 kept backups each, 4 hours apart, laid out round by round as runs lay them (one row per
 * org a run), the newest 5 hours old (9 for the orgs whose newest a read found damaged), and 5 orgs with none; the
 * selection, as the repository runs it, reads a few pages an org (its newest backups), not the backups kept.
 */
class BackupDueIndexTest {

    private static final int ORGS = 100;
    private static final int KEPT = 400;
    /** A few pages an org (an index descent, its newest backup) and the orgs: the backups kept are ~1,170 pages. */
    private static final int MAX_PAGES = 700;
    private static final int[] FREQUENCY_HOURS = {168, 24, 12, 4}; // by org number % 4: free, starter, growth, enterprise

    private static String url;
    private static Catalog catalog;

    @BeforeAll
    static void history() throws Exception {
        url = TestCatalog.initialisedDatabase();
        catalog = Catalog.connect(url); // the migrations are applied
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("insert into pools (pool_id, uri, capacity) select 'pool-' || p, 'mongodb://pool-' || p, 1000 from generate_series(0, 2) p");
            s.execute("insert into orgs (org_id, pool_id, database_name, status, tier, updated_at) "
                    + "select 'org-' || g, 'pool-' || g % 3, 'org_org_' || g, "
                    + "case when g % 25 = 0 then 'read_only' when g % 50 = 1 then 'deleting' else 'active' end, "
                    + "(array['free', 'starter', 'growth', 'enterprise'])[g % 4 + 1], "
                    + "now() - case when g % 75 = 0 then interval '1 hour' else interval '30 days' end "
                    + "from generate_series(1, " + (ORGS + 5) + ") g");
            s.execute("insert into backups (backup_id, org_id, location, pool_id, database_name, started_at, finished_at, status, docs, "
                    + "bytes, sha256, run_id, recorded_at, error) "
                    + "select 'b-' || n || '-' || g, 'org-' || g, 'file:///store/org-' || g || '/b-' || n || '/', 'pool-' || g % 3, "
                    + "'org_org_' || g, now() - interval '5 hours' - (" + KEPT + " - n) * interval '4 hours', "
                    + "now() - interval '5 hours' - (" + KEPT + " - n) * interval '4 hours' + interval '5 seconds', 'complete', 50, 1277, "
                    + "repeat('ab', 32), 'run-' || n, now() - interval '5 hours' - (" + KEPT + " - n) * interval '4 hours', "
                    + "case when n = " + KEPT + " and g % 10 = 7 then '" + BackupRepository.DAMAGED + "a flipped bit' end "
                    + "from generate_series(1, " + KEPT + ") n cross join generate_series(1, " + ORGS + ") g order by n, g"); // run by run
            s.execute("analyze");
        }
    }

    @AfterAll
    static void close() {
        catalog.close();
    }

    @Test
    void theOrgsDueAreFoundWithoutReadingTheBackupsKept() throws Exception {
        JsonNode plan = Explained.plan(url, BackupPolicyRepository.DUE, BackupPolicyRepository.dueParameters(null));
        assertThat(Explained.pages(plan)).as("pages read: %s", plan).isLessThan(MAX_PAGES);
        assertThat(new BackupPolicyRepository(catalog).due(null)).containsExactlyElementsOf(expectedDue(null));
    }

    @Test
    void theOrgsDueOnOnePoolAreFoundWithoutReadingTheBackupsKept() throws Exception {
        JsonNode plan = Explained.plan(url, BackupPolicyRepository.DUE, BackupPolicyRepository.dueParameters("pool-1"));
        assertThat(Explained.pages(plan)).as("pages read: %s", plan).isLessThan(MAX_PAGES);
        assertThat(new BackupPolicyRepository(catalog).due("pool-1")).containsExactlyElementsOf(expectedDue("pool-1"));
    }

    /**
     * The layout's orgs due, by id: active ones whose newest readable backup (5 h old, 9 h when the newest is damaged;
     * none for those past {@link #ORGS}) is older than their frequency less the hour's margin; the one suspended an
     * hour ago (no backup since) on the same terms; never a deleting one.
     */
    private static List<String> expectedDue(String pool) {
        return IntStream.rangeClosed(1, ORGS + 5).filter(g -> pool == null || pool.equals("pool-" + g % 3)).filter(g -> {
            int age = g > ORGS ? Integer.MAX_VALUE : g % 10 == 7 ? 9 : 5;
            boolean stale = age > FREQUENCY_HOURS[g % 4] - 1;
            boolean active = g % 25 != 0 && g % 50 != 1;
            boolean suspendedSinceItsLastBackup = g % 75 == 0;
            return stale && (active || suspendedSinceItsLastBackup);
        }).mapToObj(g -> "org-" + g).sorted().toList();
    }
}
