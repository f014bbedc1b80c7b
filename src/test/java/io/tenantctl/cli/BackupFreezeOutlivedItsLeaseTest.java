package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

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
            BackupFixture.StalledWorker stale = f.joinStalledAtCopy(runId, "acme");
            assertThat(stale.awaitReached()).as("the worker reached acme's copy").isTrue();
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
            stale.wakeUp();
            Cli.Result r = stale.result().get(120, TimeUnit.SECONDS);

            assertThat(f.org("acme").get("status").asText())
                    .as("the operator's suspend must hold: a worker that lost its lease must not thaw the org (worker said: %s)", r)
                    .isEqualTo("read_only");
        }
    }
}
