package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a {@code backup --freeze} worker whose org lease expired while its process was still alive (a
 * stopped process, a catalog outage or VM pause longer than the 60 s lease) has had its freeze undone by the next
 * operation on the org, which then did its own change: here the on-call engineer suspends the org. When the stale worker
 * wakes up and finishes its copy, {@code Backup.thaw} sets the org back to active because it is read_only — without
 * checking that the read_only is still its own freeze (it no longer holds the lease, and the org's version moved on).
 * The operator's suspension is silently undone and the applications write to an org that was meant to be read-only.
 */
class BackupFreezeOutlivedItsLeaseTest {

    @TempDir
    Path dir;

    @Test
    void aFrozenBackupThatWakesUpAfterItsLeaseExpiredMustNotUndoASuspendMadeSince() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme", "--freeze", "--detach", "-o", "json")).get("run_id").asText();

            // the worker stalls (as if its process were stopped) as it starts reading acme: the org is frozen (read_only) by it
            CountDownLatch stalled = new CountDownLatch(1);
            CountDownLatch wake = new CountDownLatch(1);
            AtomicBoolean once = new AtomicBoolean();
            Cli worker = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                    "USER", "worker")).decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme") ? db
                    : HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        if (once.compareAndSet(false, true)) {
                            stalled.countDown();
                            wake.await(60, TimeUnit.SECONDS);
                        }
                    })));
            CompletableFuture<Cli.Result> stale = worker.start("backup", "--join", runId, "-o", "json");
            assertThat(stalled.await(60, TimeUnit.SECONDS)).as("the worker reached acme's copy").isTrue();
            assertThat(f.org("acme").get("status").asText()).as("frozen by the worker").isEqualTo("read_only");

            // a minute passes without its heartbeat reaching the catalog: its org lease and its claim expire
            try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
                assertThat(s.executeUpdate("update org_leases set lease_until = now() - interval '1 second' where org_id = 'acme'"))
                        .isEqualTo(1);
                s.executeUpdate("update run_items set lease_until = now() - interval '1 second' where run_id = '" + runId + "'");
            }
            // the on-call engineer suspends acme (e.g. for a data-protection hold): the dead freeze is undone first, then it is
            // suspended on purpose
            JsonNode suspended = strictJson(ok(f.cli, "orgs", "suspend", "acme", "-o", "json"));
            assertThat(f.org("acme").get("status").asText()).as(suspended.toString()).isEqualTo("read_only");

            // the stale worker wakes up and finishes its copy
            wake.countDown();
            Cli.Result r = stale.get(120, TimeUnit.SECONDS);

            assertThat(f.org("acme").get("status").asText())
                    .as("the operator's suspend must hold: a worker that lost its lease must not thaw the org (worker said: %s)", r)
                    .isEqualTo("read_only");
        }
    }
}
