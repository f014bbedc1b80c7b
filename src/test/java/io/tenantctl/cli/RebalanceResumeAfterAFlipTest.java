package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: the only worker of a {@code rebalance apply} run is killed (SIGKILL, a lost node) just after a
 * move's pointer flip, before the move is stepped to retained and before its run item is recorded. A minute later the run
 * is {@code abandoned}, and {@code runs list} says to go on with {@code tenantctl rebalance apply --resume RUN}. The
 * operator does exactly that. The resumed worker takes the org's expired lease, whose recovery finishes the move (the org
 * is on its target, the move retained) — and then runs the move again from the run's recorded plan: "org acme is on
 * pool-1 now, not pool-0 as planned: make a new plan". The org it just confirmed moved is reported failed, the run
 * ends failed, exit 1, with a hint to re-plan a move that is already done.
 */
class RebalanceResumeAfterAFlipTest {

    @TempDir
    Path dir;

    @Test
    void resumingARunWhoseWorkerDiedJustAfterAFlipReportsTheOrgMoved_notFailed() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 1_500);
            f.backup("acme");
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            Path plan = dir.resolve("plan.json");
            Files.writeString(plan, "{\"moves\": [{\"org_id\": \"acme\", \"from_pool\": \"pool-0\", \"to_pool\": \"pool-1\"}]}");
            JsonNode applied = strictJson(ok(f.cli, "rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0", "-o", "json"));
            String runId = applied.get("run_id").asText();
            assertThat(applied.get("moved").asInt()).isEqualTo(1);

            // what SIGKILL right after the flip leaves, a lease period later: the move flipped (not yet retained), the run
            // item claimed by the dead worker, the org's move lease held by it, the run still marked running, no heartbeat
            String dead = "worker-7/4242/dead";
            sql(f, "update moves set state = 'flipped', retained_at = null where org_id = 'acme'");
            sql(f, "update run_items set status = 'running', claimed_by = '" + dead + "', lease_until = now() - interval '1 second', "
                    + "attempts = 0, millis = null, detail = null where run_id = '" + runId + "'");
            sql(f, "update runs set status = 'running', finished_at = null, heartbeat_at = now() - interval '10 minutes' where run_id = '"
                    + runId + "'");
            sql(f, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values ('acme', '" + dead
                    + "', 'worker-7', 4242, 'move', '" + runId + "', now() - interval '1 second')");

            // the operator follows 'runs list' literally
            String listed = ok(f.cli, "runs", "list").out();
            String hint = "tenantctl rebalance apply --resume " + runId;
            assertThat(listed).contains("abandoned " + runId).contains(hint);
            Cli.Result resumed = f.cli.run("rebalance", "apply", "--resume", runId, "-o", "json");

            assertThat(resumed.exitCode()).as("the resume of a run whose one move is done: %s", resumed).isZero();
            JsonNode doc = strictJson(resumed);
            assertThat(doc.get("moved").asInt()).as(doc.toPrettyString()).isEqualTo(1);
            assertThat(doc.get("failed")).as("no org reported failed").isEmpty();

            // and the fleet is as it should be: acme on pool-1 with all its documents, the move finished, verify clean
            JsonNode acme = f.org("acme");
            assertThat(acme.get("pool_id").asText()).isEqualTo("pool-1");
            f.assertHolds("acme", before);
            JsonNode moves = strictJson(ok(f.cli, "rebalance", "status", "-o", "json"));
            assertThat(moves).singleElement().satisfies(m -> assertThat(m.get("state").asText()).isEqualTo("retained"));
            Cli.Result verify = f.cli.run("verify", "-o", "json");
            assertThat(verify.exitCode()).as(verify.toString()).isZero();
        }
    }

    private static void sql(BackupFixture f, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
