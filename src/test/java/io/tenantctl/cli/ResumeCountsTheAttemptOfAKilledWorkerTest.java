package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.ops.run.Worker;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.deadPid;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: a worker killed (kill -9) in the middle of an org left that item's attempts
 * uncounted — an attempt was counted only when its outcome was recorded — so after {@code --resume} the org showed one
 * attempt where it had had two. An attempt counts from its claim (in the claim's one statement).
 */
class ResumeCountsTheAttemptOfAKilledWorkerTest {

    @Test
    void anOrgWhoseWorkerWasKilledMidOrgShowsBothAttemptsAfterTheResume(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path schema = CliFixture.smallSchema(dir);
        try (TestPools pools = new TestPools(1)) {
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            List<String> ids = CliFixture.ids("k-", 0, 3);
            String runId = strictJson(cli.run(CliFixture.args(List.of("provision", "--schema", schema.toString(), "--detach", "-o", "json"), ids)))
                    .get("run_id").asText();
            // a worker of this host claims the first org, as every worker does, and is killed before it records an outcome
            String dead = Worker.current("test").host() + "/" + deadPid() + "/dead";
            String begun;
            try (Catalog catalog = Catalog.connect(url)) {
                begun = catalog.runs().claimOne(runId, dead, 4, 60).orElseThrow().orgId();
            }

            ok(cli, "provision", "--resume", runId);

            JsonNode run = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
            assertThat(CliFixture.runItem(run, begun).get("attempts").asInt()).as("the killed attempt and the resumed one: %s", run)
                    .isEqualTo(2);
            ids.stream().filter(id -> !id.equals(begun)).forEach(id ->
                    assertThat(CliFixture.runItem(run, id).get("attempts").asInt()).as(id).isEqualTo(1));
        }
    }
}
