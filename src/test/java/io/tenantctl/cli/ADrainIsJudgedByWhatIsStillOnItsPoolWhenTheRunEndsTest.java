package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Probes of the recorded {@code unplaced} of a drain run (ADrainLeftUndoneIsJudgedByWhoeverEndsTheRunTest): the worker that
 * ends the run judges what is still on the draining pool then, not what the plan could not place — an unplaced org deleted,
 * or moved off by hand, before a {@code --join} ends the run leaves nothing undone (exit 0, succeeded); one suspended is
 * still there (exit 1). A run recorded before {@code unplaced} was (no such key in its args) still parses, and is judged by
 * nothing; a run of a given {@code --plan} is no drain.
 */
class ADrainIsJudgedByWhatIsStillOnItsPoolWhenTheRunEndsTest {

    private static BackupFixture fleet(Path dir) {
        return ADrainLeftUndoneIsJudgedByWhoeverEndsTheRunTest.fleet(dir);
    }

    private static String unplaced(BackupFixture f, String runId) throws Exception {
        try (var s = f.sql().createStatement(); var rs = s.executeQuery("select args::text from runs where run_id = '" + runId + "'")) {
            rs.next();
            JsonNode args = new com.fasterxml.jackson.databind.ObjectMapper().readTree(rs.getString(1));
            return args.get("unplaced").fieldNames().next();
        }
    }

    private static String detached(BackupFixture f) {
        Cli.Result d = f.cli.run("rebalance", "apply", "--freeze-grace", "0", "--detach", "-o", "json");
        assertThat(d.exitCode()).as(d.toString()).isZero();
        return strictJson(d).get("run_id").asText();
    }

    /** {@code rebalance apply --join runId} as JSON, its exit code {@code exitCode}. */
    private static JsonNode joined(BackupFixture f, String runId, int exitCode) {
        Cli.Result joined = f.cli.run("rebalance", "apply", "--join", runId, "-o", "json");
        assertThat(joined.exitCode()).as(joined.toString()).isEqualTo(exitCode);
        return strictJson(joined);
    }

    @Test
    void anUnplacedOrgDeletedBeforeTheRunEndsLeavesNothingUndone(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            String runId = detached(f);
            String left = unplaced(f, runId);
            ok(f.cli, "orgs", "delete", left, "--no-backup");
            assertThat(joined(f, runId, 0).get("status").asText()).isEqualTo("succeeded");
        }
    }

    @Test
    void anUnplacedOrgMovedOffByHandBeforeTheRunEndsLeavesNothingUndone(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            String runId = detached(f);
            String left = unplaced(f, runId);
            ok(f.cli, "pools", "set-capacity", "pool-1", "--capacity", "3");
            ok(f.cli, "rebalance", "move", left, "--to", "pool-1", "--freeze-grace", "0");
            assertThat(joined(f, runId, 0).get("status").asText()).isEqualTo("succeeded");
        }
    }

    @Test
    void anUnplacedOrgSuspendedIsStillOnTheDrainingPool(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            String runId = detached(f);
            String left = unplaced(f, runId);
            ok(f.cli, "orgs", "suspend", left);
            assertThat(joined(f, runId, 1).get("left_on_draining").toString()).contains(left);
        }
    }

    @Test
    void aRunRecordedWithoutUnplacedIsJoinedAndJudgedByNothing(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            String runId = detached(f);
            try (var s = f.sql().createStatement()) {
                s.executeUpdate("update runs set args = args - 'unplaced' where run_id = '" + runId + "'");
            }
            assertThat(joined(f, runId, 0).get("left_on_draining").toString()).isEqualTo("{}");
        }
    }

    @Test
    void aRunOfAGivenPlanIsNoDrain(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            Path plan = dir.resolve("plan.json");
            Files.writeString(plan, "{\"moves\": [{\"org_id\": \"acme\", \"from_pool\": \"pool-0\", \"to_pool\": \"pool-1\"}]}");
            Cli.Result r = f.cli.run("rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            Cli.Result dry = f.cli.run("rebalance", "apply", "--plan", plan.toString(), "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isZero();
        }
    }
}
