package io.tenantctl.cli;

import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.Backup;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** backup --due picks exactly the active orgs whose tier's backup frequency has elapsed, and those never backed up. */
class BackupDueTest {

    @TempDir
    Path dir;

    @Test
    void dueFollowsEachTiersFrequency() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provisionTier("free", "pool-0", "free-org");
            f.provisionTier("starter", "pool-0", "starter-org");
            f.provisionTier("growth", "pool-0", "growth-org");
            f.provisionTier("enterprise", "pool-0", "never");
            f.provisionTier("growth", "pool-0", "frozen");
            try (Catalog catalog = Catalog.open(f.catalogUrl)) {
                catalog.orgs().setStatus("frozen", io.tenantctl.catalog.OrgStatus.READ_ONLY);
            }
            ok(f.cli, "backup", "--org", "frozen"); // read_only and backed up since: never due, whatever its age
            assertThat(dueNow(f)).containsExactly("free-org", "growth-org", "never", "starter-org");

            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 FileObjectStore store = new FileObjectStore(f.storeDir)) {
                Backup op = new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store);
                RunReport first = op.run(request(List.of("free-org", "starter-org", "growth-org"), false, false, Instant.now())).report();
                assertThat(first.count("backed_up")).isEqualTo(3);

                // time passes for the catalog: what it recorded grows older (its now() is what "due" is judged by)
                age(f, 1);
                assertThat(due(op, Instant.now())).containsExactly("never");
                age(f, 12);
                assertThat(due(op, Instant.now())).containsExactly("growth-org", "never");
                // found probing clocks: "now" was the worker's clock; a cron host a day behind found growth-org's 13 h old
                // backup (12 h tier) not due, and no backup was taken for as long as its clock stayed wrong
                assertThat(due(op, Instant.now().minus(Duration.ofDays(1)))).as("a worker whose clock is a day behind")
                        .containsExactly("growth-org", "never");

                // taken by a worker whose clock is 13 h ahead: a backup's time is the earlier of the worker's and the catalog's
                Backup.Result later = op.run(request(List.of(), true, false, Instant.now().plus(Duration.ofHours(13))));
                assertThat(CliFixture.lines(later.lines())).extracting(RunReport.Org::orgId).containsExactly("growth-org", "never");
                assertThat(due(op, Instant.now())).isEmpty();
                age(f, 12);
                assertThat(due(op, Instant.now())).containsExactly("growth-org", "never", "starter-org");
                age(f, 144);
                assertThat(due(op, Instant.now())).containsExactly("free-org", "growth-org", "never", "starter-org");
            }
            f.assertClean("free-org", "starter-org", "growth-org", "never", "frozen");
        }
    }

    /**
     * Found by a probing helper: an org whose newest backup a restore or verify --deep found damaged was not due (the
     * backup counted as a recent one), so the nightly --due never replaced it and the org had no readable recent backup.
     */
    @Test
    void anOrgWhoseNewestBackupWasFoundDamagedIsDue() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provisionTier("growth", "pool-0", "acme", "globex");
            f.notes("acme", "notes", 10);
            String damaged = f.backup("acme");
            f.backup("globex");
            assertThat(dueNow(f)).isEmpty();
            f.flipABit("acme", damaged, "notes");
            assertThat(f.cli.run("verify", "--deep").exitCode()).isEqualTo(4); // found, and recorded damaged

            assertThat(dueNow(f)).containsExactly("acme");
            ok(f.cli, "backup", "--due");
            assertThat(dueNow(f)).isEmpty();
            assertThat(f.cli.run("verify", "--deep").exitCode()).as("the new backup is the newest, and reads back").isZero();
        }
    }

    /** What the catalog recorded of backups and orgs, {@code hours} older: as if its clock had run on so long. */
    private static void age(BackupFixture f, int hours) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(f.catalogUrl); var st = c.createStatement()) {
            String by = "interval '" + hours + " hours'";
            st.executeUpdate("update backups set started_at = started_at - " + by + ", recorded_at = recorded_at - " + by
                    + ", finished_at = finished_at - " + by);
            st.executeUpdate("update orgs set updated_at = updated_at - " + by);
        }
    }

    private static List<String> dueNow(BackupFixture f) {
        return strictJson(ok(f.cli, "backup", "--due", "--dry-run", "-o", "json")).get("orgs").findValuesAsText("org_id");
    }

    private static List<String> due(Backup op, Instant at) {
        Backup.Result r = op.run(request(List.of(), true, true, at));
        assertThat(r.report().dryRun()).isTrue();
        return CliFixture.lines(r.lines()).stream().map(RunReport.Org::orgId).toList(); // a dry run's lines, handed over as planned
    }

    private static Backup.Request request(List<String> orgs, boolean due, boolean dryRun, Instant at) {
        return new Backup.Request(new Backup.Selector(orgs, false, List.of(), due), new Backup.Copy(Compression.GZIP, false, null), dryRun,
                new RunEngine.Drive(RunEngine.Settings.DEFAULT, RunControl.START, new CancelToken(), Progress.NONE), Clock.fixed(at, ZoneOffset.UTC));
    }
}
