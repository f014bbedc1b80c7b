package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: the only worker of a {@code backup --freeze} run is killed (OOM, node lost) while it copies an org:
 * the org is read_only, frozen by a lease that records {@code frozen_from: active}. {@code verify} reports the run
 * abandoned with the fix "tenantctl backup --resume RUN   (or: tenantctl runs cancel RUN)". The operator takes the second
 * way out. {@code runs cancel} runs no lease recovery, and a plain {@code verify} never looks at read_only orgs (not
 * transitional, and its backup-freshness check skips them) nor at expired leases whose recorded state still needs undoing.
 * So the org stays read_only — every write of that customer refused — and {@code verify} exits 0, clean, until some
 * unrelated mutating command happens to sweep. ({@code verify --fix} does thaw it: its per-org lease recovers the dead one.)
 */
class FrozenOrgOfACancelledBackupRunTest {

    @TempDir
    Path dir;

    @Test
    void cancellingAnAbandonedFrozenBackupRunDoesNotLeaveTheOrgReadOnlyWithVerifyClean() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            f.backup("acme");
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme", "--freeze", "--detach", "-o", "json")).get("run_id").asText();

            // its worker froze acme, then was killed with SIGKILL; a minute later its claim, org lease and heartbeat are stale
            String dead = "worker-7/4242/dead";
            sql(f, "update run_items set status = 'running', claimed_by = '" + dead + "', lease_until = now() - interval '1 second' "
                    + "where run_id = '" + runId + "'");
            sql(f, "update runs set heartbeat_at = now() - interval '10 minutes' where run_id = '" + runId + "'");
            sql(f, "update orgs set status = 'read_only', version = version + 1, updated_at = now() where org_id = 'acme'");
            sql(f, "insert into org_leases (org_id, holder, host, pid, operation, run_id, state, lease_until) values ('acme', '" + dead
                    + "', 'worker-7', 4242, 'backup', '" + runId + "', cast('{\"frozen_from\": \"active\"}' as jsonb), "
                    + "now() - interval '1 second')");

            Cli.Result found = f.cli.run("verify", "-o", "json");
            assertThat(found.exitCode()).as(found.toString()).isEqualTo(4);
            assertThat(findings(strictJson(found), "run_abandoned")).singleElement().satisfies(x ->
                    assertThat(x.get("fix_note").asText()).contains("runs cancel " + runId));

            // the on-call engineer takes the finding's second way out: the run is ended
            ok(f.cli, "runs", "cancel", runId);

            Cli.Result after = f.cli.run("verify", "-o", "json");
            String status = f.org("acme").get("status").asText();
            List<JsonNode> aboutAcme = new ArrayList<>();
            strictJson(after).get("findings").forEach(x -> {
                if ("acme".equals(x.path("org_id").asText(null)) && !x.get("severity").asText().equals("info")) {
                    aboutAcme.add(x);
                }
            });
            assertThat(status.equals("active") || (after.exitCode() == 4 && !aboutAcme.isEmpty()))
                    .as("after 'runs cancel', acme is %s (frozen by a backup that died) and verify says: %s", status, after)
                    .isTrue();
        }
    }


    /**
     * Found in review: the worker of a backup --freeze run froze acme and died holding its lease, its claim still live (a
     * beat renews the claim and the org's lease by two statements: the second failed). Cancel held acme in flight, as its
     * worker held its lease, though that lease had run out: its item stayed running in the cancelled run, nobody to finish
     * it. It is cancelled now; the dead lease is left to recovery, which thaws acme, and the next backup of it goes on.
     */
    @Test
    void aFrozenOrgWhoseWorkerDiedHoldingItsLeaseIsCancelledAndThawed() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme", "--freeze", "--detach", "-o", "json")).get("run_id").asText();
            String dead = "worker-7/4242/dead";
            CliFixture.workerKilledAfterClaiming(f.catalogUrl, runId, "acme");
            sql(f, "update run_items set lease_until = now() + interval '1 minute' where run_id = '" + runId + "'");
            sql(f, "update orgs set status = 'read_only', version = version + 1, updated_at = now() where org_id = 'acme'");
            sql(f, "insert into org_leases (org_id, holder, host, pid, operation, run_id, state, lease_until) values ('acme', '" + dead
                    + "', 'worker-7', 4242, 'backup', '" + runId + "', cast('{\"frozen_from\": \"active\"}' as jsonb), "
                    + "now() - interval '1 second')");

            // found by the on-call audit: the dry run said only "would be cancelled", while the cancel also set acme back
            // to active (a line on stderr); the dry run says that it would, and leaves acme as it is
            Cli.Result dry = ok(f.cli, "runs", "cancel", runId, "--dry-run", "-o", "json");
            strictJson(dry);
            assertThat(dry.err()).as(dry.toString()).contains("dry run: would put right: org acme: a backup --freeze that died "
                    + "left it read_only: it would be set back to active");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("read_only");
            Cli.Result cancel = ok(f.cli, "runs", "cancel", runId);
            assertThat(cancel.err()).as(cancel.toString()).contains("org acme was left read_only by a backup --freeze that died: set back to active");

            JsonNode shown = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(shown.get("items").get(0).get("status").asText()).as("%s", shown.get("items")).isEqualTo("cancelled");
            assertThat(shown.get("items").get(0).get("error").asText()).contains("its worker stopped");
            assertThat(f.org("acme").get("status").asText()).as("the dead freeze put right by recovery").isEqualTo("active");
            f.backup("acme");
        }
    }

    private static void sql(BackupFixture f, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
