package io.tenantctl.cli;

import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming today's migrate-all fix (commit 411be6a, "waits for an org frozen for a moment by an operation
 * holding it"). The selection now takes every read_only org that has <em>any</em> lease row, not only one frozen by the
 * operation holding it. An org the operator suspended on purpose (read_only, README: "Orgs that are read_only … are
 * skipped and listed") is selected as soon as anything holds its lease — a plain backup (no --freeze) of the fleet, which
 * backs up read_only orgs too, a verify --fix. The deploy's rollout then waits for that lease as for a busy org and,
 * after --busy-timeout (default 120 s, less than a big org's backup), fails the suspended org and exits 1: the release's
 * pipeline goes red for an org that is to be skipped, and would have been skipped a minute earlier or later.
 */
@Timeout(180)
class MigrateAllWithASuspendedOrgBeingBackedUpTest {

    @TempDir
    Path dir;

    @Test
    void aSuspendedOrgIsSkippedEvenWhileABackupReadsIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 30);
            ok(f.cli, "orgs", "suspend", "acme");
            Path v2 = MigrateAllDuringAFrozenBackupTest.v2(f);
            String v2Hash = SchemaManifest.load(v2).hash();

            // a plain (unfrozen) backup of the fleet, held while it reads acme
            CountDownLatch reading = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean armed = new AtomicBoolean(true);
            Cli backupCli = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) ->
                    name.equals("org_acme") ? HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        if (armed.compareAndSet(true, false)) {
                            reading.countDown();
                            MigrateAllDuringAFrozenBackupTest.await(release);
                        }
                    }) : db));
            CompletableFuture<Cli.Result> backup = backupCli.start("backup", "--org", "acme", "-o", "json");
            assertThat(reading.await(60, TimeUnit.SECONDS)).as("the backup reads acme").isTrue();
            assertThat(f.org("acme").get("status").asText()).as("suspended by the operator, not frozen by the backup").isEqualTo("read_only");

            // the deploy's rollout, at that moment (a short --busy-timeout stands for a backup longer than the default)
            Cli.Result rollout = f.cli.run("migrate-all", "--schema", v2.toString(), "--busy-timeout", "1", "-o", "json");

            release.countDown();
            assertThat(backup.get(60, TimeUnit.SECONDS).exitCode()).isZero();
            assertThat(f.org("beta").get("schema_hash").asText()).as("beta got the release's manifest").isEqualTo(v2Hash);
            MigrateAllWithASuspendedOrgBeingRestoredTest.assertAcmeSkipped(rollout);
        }
    }
}
