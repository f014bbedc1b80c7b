package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
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
}
