package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * backup --all and backup --due (and migrate-all, by the same listing as --all) selected their orgs with the catalog's
 * listing of them read in one result (OrgRepository.list, findAll), which the driver held raw, every row, beside the orgs
 * made of them: recording a run of 30,000 orgs ran out of memory under -Xmx32m (it needed -Xmx40m). Listings are read
 * 1,000 orgs at a time now; the orgs selected are still held until the run is recorded (30,000: -Xmx26m, --due -Xmx28m).
 */
@org.junit.jupiter.api.Tag("slow") // 30,000 orgs, two runs of them recorded in a child JVM: 15 s on 2 cores
class ARunOfAFleetsOrgsListedUnderASmallHeapTest {

    private static final int ORGS = 30_000;
    private static final int HEAP_MB = 30;

    @TempDir
    Path dir;

    @Test
    void backupAllAndBackupDueDetachedRecordThirtyThousandOrgs() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.fleetCatalog(pools, ORGS, "md5(g::text) || md5(g::text)");
            Cli cli = Cli.withCatalog(url);
            Path store = Files.createDirectories(dir.resolve("store"));
            for (List<String> args : List.of(List.of("backup", "--all", "--detach"), List.of("backup", "--due", "--detach"))) {
                ChildJvm.Exit exit = ChildJvm.run(dir, Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall", "TENANTCTL_STORE",
                        store.toUri().toString()), 120, List.of("-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC"), Main.class.getName(),
                        args.toArray(String[]::new));
                String err = exit.err();
                assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
                assertThat(exit.code()).as("%s of %d orgs under -Xmx%dm: %s", args, ORGS, HEAP_MB, err).isEqualTo(0);
                assertThat(exit.out()).as(String.join(" ", args)).startsWith("run ").contains(" created with " + ORGS + " orgs");
                String runId = exit.out().split(" ")[1];
                try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select count(*) from run_items where status in ('pending', 'held') and run_id = '" + runId + "'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("%s: orgs to do", args).isEqualTo(ORGS);
                }
                CliFixture.ok(cli, "runs", "cancel", runId); // the next run is not held up by this one
            }
        }
    }
}
