package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A move killed with SIGKILL in the middle of its first copy (the org still live) leaves a partial target and a move
 * row in state planned. Until its lease runs out other commands are refused naming it; `rebalance resume`, which sees the
 * killed process was of this host and is gone, rolls it back at once: the target dropped, the org active on its source
 * with every document, the move aborted with the reason.
 */
class RebalanceCrashTest {

    @Test
    void aMoveKilledMidCopyIsRolledBackByResume(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 20_000);
            String from = f.org("acme").get("pool_id").asText();
            String to = from.equals("pool-0") ? "pool-1" : "pool-0";
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));

            Map<String, String> env = new HashMap<>();
            env.put("TENANTCTL_CATALOG_URL", f.catalogUrl);
            env.put("USER", "crash-test");
            Process move = ChildJvm.start(dir, env, Main.class.getName(), "rebalance", "move", "acme", "--to", to, "--freeze-grace", "0",
                    "--max-freeze", "10m");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (f.database(to, "org_acme").getCollection("notes").estimatedDocumentCount() < 2000) {
                assertThat(move.isAlive()).as("the move ended before it could be killed").isTrue();
                assertThat(Instant.now()).as("the move never started copying").isBefore(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            move.destroyForcibly();
            assertThat(move.waitFor(30, TimeUnit.SECONDS)).isTrue();

            assertThat(f.org("acme").get("status").asText()).as("the first copy runs while the org is live").isEqualTo("active");
            JsonNode status = strictJson(ok(f.cli, "rebalance", "status", "-o", "json"));
            assertThat(status.get(0).get("state").asText()).isEqualTo("planned");
            int runsBefore = strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs").size();
            // a process of this host that is gone holds nothing (as orgs show says): not "busy, wait for it" (569f3b3); the
            // dry run names the move the dead process left, which the real one (or resume, below) rolls back first
            assertThat(ok(f.cli, "orgs", "show", "acme").out()).contains("expired: the next operation on the org recovers it");
            Cli.Result dry = f.cli.run("rebalance", "move", "acme", "--to", to, "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            assertThat(dry.out()).contains("org acme is already being moved").doesNotContain("is busy");
            assertThat(strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs")).as("no run recorded").hasSize(runsBefore);
            assertThat(liveMoveLeases(f.catalogUrl)).as("its lease outlives the killed process").isOne();

            // the killed process ran on this host and is gone: resume recovers at once, not a lease's length later
            Cli.Result resume = f.cli.run("rebalance", "resume");
            String resumed = resume.out();
            assertThat(resumed).contains("died while planned, rolled back").contains("dropped");
            // the move's run, its only org rolled back, ended failed: exit 1, the org not moved and its next step
            assertThat(resume.exitCode()).as(resume.toString()).isEqualTo(1);
            assertThat(resume.err()).as(resume.toString()).contains("ended failed: org acme was not moved — next: tenantctl rebalance status");

            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo(from);
            assertThat(f.databaseNames(to)).as("the partial target was dropped").doesNotContain("org_acme");
            f.assertHolds("acme", before);
            JsonNode after = strictJson(ok(f.cli, "rebalance", "status", "-o", "json")).get(0);
            assertThat(after.get("state").asText()).isEqualTo("aborted");
            assertThat(after.get("error").asText()).contains("died while planned");
            assertThat(strictJson(ok(f.cli, "pools", "show", to, "-o", "json")).get("orgs").asInt()).as("its reserved place is free again").isZero();

            // found by a probing helper: the killed move's run stayed running ('abandoned' in runs list) after resume rolled
            // its move back, and rebalance plan left acme out as still to be moved by it until 'runs cancel'
            String runId = after.get("run_id").asText();
            JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(run.get("run").get("status").asText()).as(run.toString()).isEqualTo("failed");
            assertThat(run.get("items").get(0).get("status").asText()).as(run.toString()).isEqualTo("failed");
            assertThat(run.get("items").get(0).get("error").asText()).as(run.toString()).contains("died while planned");
            JsonNode plan = strictJson(ok(f.cli, "rebalance", "plan", "-o", "json"));
            assertThat(plan.get("notes").toString()).as("acme may be planned again: %s", plan).doesNotContain(runId);
        }
    }

    private static int liveMoveLeases(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from org_leases where operation = 'move' and lease_until > now()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
