package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: README, Runs: "`runs cancel RUN_ID` ends a run for good: in-flight orgs finish, the rest are
 * recorded `cancelled`", and `runs list` offers `runs cancel` for an abandoned run (its workers all stopped). But
 * RunRepository.cancel only cancels pending and held items: the org the dead worker had claimed stays `running` for
 * ever — its lease long expired, nobody working on it, in a run that is over. `runs show` of the cancelled run then
 * tells the on-call that org is still being worked on (status running), and no later command ever records it otherwise.
 */
class RunsCancelOfAnAbandonedRunTest {

    @Test
    void cancellingAnAbandonedRunLeavesNoOrgOfItRunning(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String runId = CliFixture.provisionDetached(cli, dir, "n-1", "n-2", "n-3");
            // its only worker claimed n-1 and was killed (kill -9 on another host); a few minutes later its lease and heartbeat are stale
            CliFixture.workerKilledAfterClaiming(url, runId, "n-1");
            JsonNode listed = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(listed.get("status").asText()).isEqualTo("abandoned");
            assertThat(listed.get("next_step").asText()).isEqualTo("tenantctl provision --resume " + runId);
            assertThat(listed.get("next_note").asText()).contains("tenantctl runs cancel " + runId);

            ok(cli, "runs", "cancel", runId);

            JsonNode shown = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
            assertThat(shown.get("run").get("status").asText()).isEqualTo("cancelled");
            assertThat(MigrateAllFixture.itemStatuses(shown)).as("the orgs of a cancelled run whose workers are all gone: %s", shown.get("items"))
                    .doesNotContainKey("running");
        }
    }
}
