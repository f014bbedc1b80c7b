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
     * --changed-only (a nightly verify of a fleet mostly unchanged) held the ids of every org verified clean since it last
     * changed, read at once: 60,000 of them, ten changed, ran out of memory under -Xmx16m. They are looked up a page of orgs at a time.
     */
    @Test
    @org.junit.jupiter.api.Tag("slow") // 60,000 orgs and their verifications, then a child JVM: ~10 s on 2 cores
    void verifyChangedOnlyDetachOfSixtyThousandOrgsAllButTenUnchangedRecordsTheTen() throws Exception {
        int orgs = 60_000;
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, orgs, "null");
            CliFixture.sql(url, "insert into org_verifications (org_id, verified_at, org_version) select org_id, now(), version from orgs "
                    + "where org_id > 'org-000010'");
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
