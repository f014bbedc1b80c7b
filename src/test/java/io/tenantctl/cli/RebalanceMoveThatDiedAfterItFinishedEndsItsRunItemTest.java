package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.ops.run.Worker;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.deadPid;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: a move whose worker died after the move reached {@code retained} (the org
 * flipped, its source kept) but before its run item was recorded left that item {@code running} — and the run
 * abandoned — until the run's own {@code --resume} found the move done. A move that died earlier is rolled back or
 * finished by the next command that finds it, which records its item and ends its run (README: "A move rolled back so is
 * recorded failed in its run … one finished after its flip, succeeded, and the run ends once nothing else is left in
 * it"); a finished one now is too.
 */
class RebalanceMoveThatDiedAfterItFinishedEndsItsRunItemTest {

    @TempDir
    Path dir;

    @Test
    void rebalanceResumeRecordsTheItemOfAFinishedMoveWhoseWorkerDiedAndEndsTheRun() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            Path plan = dir.resolve("plan.json");
            Files.writeString(plan, "{\"moves\": [{\"org_id\": \"acme\", \"from_pool\": \"pool-0\", \"to_pool\": \"pool-1\"}]}");
            String runId = strictJson(ok(f.cli, "rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0", "-o", "json"))
                    .get("run_id").asText();

            // what kill -9 leaves once the move is retained, before the item's outcome is recorded: the item claimed by
            // the dead worker (a process of this host that is gone), its move lease, the run still marked running
            Worker here = Worker.current("test");
            long pid = deadPid();
            String dead = here.host() + "/" + pid + "/dead";
            CliFixture.sql(f.catalogUrl, "update run_items set status = 'running', claimed_by = '" + dead + "', lease_until = now() + "
                    + "interval '1 minute', millis = null, detail = null where run_id = '" + runId + "'");
            CliFixture.sql(f.catalogUrl, "update runs set status = 'running', finished_at = null where run_id = '" + runId + "'");
            CliFixture.sql(f.catalogUrl, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values "
                    + "('acme', '" + dead + "', '" + here.host() + "', " + pid + ", 'move', '" + runId + "', now() + interval '1 minute')");
            assertThat(strictJson(ok(f.cli, "rebalance", "status", "-o", "json")).get(0).get("state").asText()).isEqualTo("retained");

            Cli.Result resumed = ok(f.cli, "rebalance", "resume");

            JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(CliFixture.runItem(run, "acme").get("status").asText()).as("%s%n%s", resumed, run).isEqualTo("succeeded");
            assertThat(run.get("run").get("status").asText()).as(run.toString()).isEqualTo("succeeded");
            assertThat(resumed.out()).as(resumed.toString()).contains(runId);
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }
}
