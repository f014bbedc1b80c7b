package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A verify of a fleet of 30,000 active orgs could not record its run under -Xmx26m (of 60,000, not under -Xmx40m): exit 1,
 * "ran out of memory", no run. RunRepository.start sent the run's items in one JDBC batch, and the driver holds every row of a batch
 * until it is sent; it sends them a thousand at a time now, in the same transaction (every verb's run is recorded so). Even so,
 * 30,000 needed -Xmx18m and 60,000 -Xmx24m: verify held every org's item (and the engine two more lists of them, to spread them over
 * the pools) until the run was recorded. The fleet's orgs are now read a page at a time as the run is recorded, on its connection, and
 * the catalog puts the items in turn across the pools, so the heap a fleet's run needs does not grow with the fleet: 30,000 (and
 * 60,000) under -Xmx16m, where 30,000 ran out of memory before (a fleet this size keeps the test quick).
 * {@code --detach} records the run and stops there: what a fleet verify does first, without checking every org.
 */
class VerifyOfAFleetRecordsItsRunUnderASmallHeapTest {

    private static final int ORGS = 30_000;
    private static final int HEAP_MB = Integer.getInteger("verify.record.heap", 16);

    @TempDir
    Path dir;

    @Test
    void verifyDetachOfThirtyThousandOrgsRecordsEveryOneOfThemUnderSixteenMegabytes() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "null");
            ChildJvm.Exit exit = ChildJvm.run(dir, Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall"), 120,
                    List.of("-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC"), Main.class.getName(), "verify", "--detach");
            String err = exit.err();
            assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
            assertThat(exit.code()).as("verify --detach of %d orgs under -Xmx%dm: %s", ORGS, HEAP_MB, err).isEqualTo(0);
            assertThat(exit.out()).matches("run (\\S+) created with " + ORGS + " orgs; start workers with: tenantctl verify --join \\1\\s*");
            String runId = exit.out().split(" ")[1];
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*), count(distinct seq) from run_items where status = 'pending' and run_id = '" + runId + "'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("items to check").isEqualTo(ORGS);
                assertThat(rs.getInt(2)).as("each its own place in the run").isEqualTo(ORGS);
            }
        }
    }

    /**
     * {@code runs show} of a verify run read every item's detail (each org's findings, hundreds an org at a fleet's size)
     * into the run's report, then again into one JSON tree per item, all held until the last was read: a verify run of
     * 400 orgs with 80 findings each (6 MB of them) ran out of memory under -Xmx32m, as -o json and as the table alike.
     * Its counts and timings are worked out by the catalog, and its items read and written a page at a time: both list
     * every org of the run, each with its findings and its outcome ("problems" for one with a problem), under the same heap.
     */
    @Test
    void runsShowOfAVerifyRunWithManyFindingsListsEveryOrgUnderASmallHeap() throws Exception {
        int orgs = 400;
        int heapMb = 32;
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, orgs, "null");
            String runId = CliFixture.ok(io.tenantctl.testing.Cli.withCatalog(url), "verify", "--detach").out().split(" ")[1];
            // as the run's workers record them: each org checked, 80 findings each, a problem among them for every even org
            CliFixture.sql(url, "update run_items set status = 'succeeded', attempts = 1, millis = right(org_id, 3)::int, "
                    + "detail = jsonb_build_object('findings', (select jsonb_agg(jsonb_build_object('kind', 'schema_extra', 'severity', "
                    + "case when k = 1 and right(org_id, 1)::int % 2 = 0 then 'problem' else 'info' end, 'subject', 'c' || k, "
                    + "'detail', repeat('x', 160))) from generate_series(1, 80) k)) where run_id = '" + runId + "'");
            CliFixture.sql(url, "update runs set status = 'succeeded', finished_at = now() where run_id = '" + runId + "'");
            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall");
            List<String> heap = List.of("-Xmx" + heapMb + "m", "-XX:+UseSerialGC");

            ChildJvm.Exit json = ChildJvm.run(dir, env, 120, heap, Main.class.getName(), "runs", "show", runId, "-o", "json");
            assertThat(json.err()).as("no stack trace").doesNotContain("Exception in thread");
            assertThat(json.code()).as("runs show -o json under -Xmx%dm: %s", heapMb, json.err()).isEqualTo(0);
            com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.stdout().toFile());
            assertThat(doc.get("counts").toString()).isEqualTo("{\"clean\":" + orgs / 2 + ",\"problems\":" + orgs / 2 + "}");
            assertThat(doc.get("max_ms").asLong()).isEqualTo(orgs);
            assertThat(doc.get("items")).as("every org of the run").hasSize((int) CliFixture.count(url,
                    "select count(*) from run_items where run_id = '" + runId + "'"));
            for (com.fasterxml.jackson.databind.JsonNode item : doc.get("items")) {
                String org = item.get("org_id").asText();
                assertThat(item.get("outcome").asText()).as(org).isEqualTo((org.charAt(org.length() - 1) - '0') % 2 == 0 ? "problems" : "clean");
                assertThat(item.get("detail").get("findings")).as(org).hasSize(80);
            }

            ChildJvm.Exit table = ChildJvm.run(dir, env, 120, heap, Main.class.getName(), "runs", "show", runId);
            assertThat(table.code()).as("runs show under -Xmx%dm: %s", heapMb, table.err()).isEqualTo(0);
            assertThat(table.out().lines().filter(l -> l.matches("org-\\d{6}\\s+succeeded\\s+1\\s+\\d+\\s+-"))).hasSize(orgs);
        }
    }

    /**
     * --changed-only (a nightly verify of a fleet mostly unchanged) held the ids of every org verified clean since it last
     * changed, read at once: 60,000 of them, ten changed, ran out of memory under -Xmx16m. They are looked up a page of orgs at a time.
     */
    @Test
    @org.junit.jupiter.api.Tag("slow") // 60,000 orgs and their verifications, then a child JVM: ~10 s on 2 cores
    void verifyChangedOnlyDetachOfSixtyThousandOrgsAllButTenUnchangedRecordsTheTen() throws Exception {
        int orgs = 60_000;
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, orgs, "null");
            CliFixture.sql(url, "insert into org_verifications (org_id, verified_at, org_version, rules_version) select org_id, now(), version, "
                    + io.tenantctl.ops.Verify.RULES + " from orgs where org_id > 'org-000010'");
            ChildJvm.Exit exit = ChildJvm.run(dir, Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall"), 120,
                    List.of("-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC"), Main.class.getName(), "verify", "--changed-only", "--detach");
            String err = exit.err();
            assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
            assertThat(exit.code()).as("verify --changed-only --detach of %d orgs under -Xmx%dm: %s", orgs, HEAP_MB, err).isEqualTo(0);
            assertThat(exit.out()).matches("run (\\S+) created with 10 orgs; start workers with: tenantctl verify --join \\1\\s*");
            String runId = exit.out().split(" ")[1];
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select string_agg(org_id, ',' order by seq) from run_items where status = 'pending' and run_id = '"
                         + runId + "'")) {
                rs.next();
                assertThat(rs.getString(1)).as("the ten changed since their last clean verify")
                        .isEqualTo("org-000001,org-000002,org-000003,org-000004,org-000005,org-000006,org-000007,org-000008,org-000009,org-000010");
            }
        }
    }
}
