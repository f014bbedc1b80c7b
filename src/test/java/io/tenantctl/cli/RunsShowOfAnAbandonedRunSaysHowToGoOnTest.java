package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * `runs list` (text and -o json) and `runs show -o json` name the command that resumes or cancels an abandoned run; the
 * text of `runs show RUN_ID`, the command an on-call types once they have the run's id, said neither.
 */
class RunsShowOfAnAbandonedRunSaysHowToGoOnTest {

    @Test
    void runsShowTextNamesTheResumeAndTheCancelAsRunsListDoes(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String runId = CliFixture.provisionDetached(cli, dir, "n-1", "n-2");
            // its only worker claimed n-1 and was killed: its lease and heartbeat are stale
            CliFixture.workerKilledAfterClaiming(url, runId, "n-1");
            String listed = ok(cli, "runs", "list").out().lines().filter(l -> l.startsWith("abandoned " + runId + ": ")).findFirst()
                    .orElseThrow(() -> new AssertionError("runs list names no next step for " + runId));
            assertThat(listed).contains("tenantctl provision --resume " + runId).contains("tenantctl runs cancel " + runId);

            Cli.Result shown = ok(cli, "runs", "show", runId);
            assertThat(shown.out()).as("runs show says what runs list says: " + shown).contains(listed);
        }
    }

    /**
     * A run that ended failed (an org's createIndexes refused) is taken up again by its --resume, which tries its failed
     * orgs again; runs show said nothing of it (text, and next_step null in -o json), as if nothing could be done. It
     * names that --resume now, which works as pasted once the fault is mended; the run it then succeeds names none.
     */
    @Test
    void aFailedRunNamesTheResumeThatTriesItsFailedOrgsAgain(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            AtomicBoolean refused = new AtomicBoolean(true);
            Cli cli = Cli.withCatalog(url).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (refused.get() && db.equals("org_n_2") && cmd.keySet().iterator().next().equals("createIndexes")) {
                    throw HookedPools.commandError(85, "index email_1 already exists with different options");
                }
            }));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            Cli.Result failed = cli.run("provision", "n-1", "n-2", "--schema", CliFixture.smallSchema(dir).toString(), "-o", "json");
            assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
            String runId = strictJson(failed).get("run_id").asText();
            String resume = "tenantctl provision --resume " + runId;

            Cli.Result shown = ok(cli, "runs", "show", runId);
            assertThat(shown.out()).as(shown.toString()).contains("failed " + runId + ": " + resume + "\n");
            JsonNode run = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(run.get("status").asText()).isEqualTo("failed");
            assertThat(run.get("next_step").asText()).as(run.toString()).isEqualTo(resume);

            refused.set(false);
            ok(cli, OnCallNextStepsTest.command(resume));
            assertThat(strictJson(ok(cli, "orgs", "show", "n-2", "-o", "json")).get("status").asText()).isEqualTo("active");
            JsonNode after = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(after.get("status").asText()).isEqualTo("succeeded");
            assertThat(after.get("next_step").isNull()).as("a succeeded run has no step on: %s", after).isTrue();
            assertThat(ok(cli, "runs", "show", runId).out()).doesNotContain("--resume");
        }
    }
}
