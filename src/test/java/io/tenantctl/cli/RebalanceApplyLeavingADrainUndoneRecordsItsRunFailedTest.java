package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: a {@code rebalance apply} that leaves orgs on a draining pool (no room anywhere)
 * exits 1, but its run was recorded {@code succeeded}, so {@code runs list}/{@code runs show} — what a pipeline judges a
 * run by — said the drain was done. The run is recorded {@code failed}, as every verb records a run whose orgs were not
 * all done, with a reason naming what it left.
 */
class RebalanceApplyLeavingADrainUndoneRecordsItsRunFailedTest {

    @Test
    void theRunOfAnApplyThatLeavesOrgsOnADrainingPoolIsFailed(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Path schema = CliFixture.smallSchema(dir);
        try (TestPools pools = new TestPools(2)) {
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(1), 1, 2); // room for one org only
            ok(cli, "provision", "--schema", schema.toString(), "--pool", "pool-1", "acme", "globex");
            ok(cli, "pools", "drain", "pool-1");

            Cli.Result r = cli.run("rebalance", "apply", "--freeze-grace", "0", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode doc = strictJson(r);
            assertThat(doc.path("moved").asInt()).as(r.toString()).isEqualTo(1);
            assertThat(doc.path("status").asText()).as("the run's status agrees with the exit code: %s", r).isEqualTo("failed");
            String runId = doc.path("run_id").asText();

            JsonNode run = strictJson(ok(cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("failed");
            String left = doc.path("left_on_draining").path("pool-1").get(0).asText();
            assertThat(run.path("reason").asText()).as(run.toString()).contains("pool-1").contains(left);
            JsonNode listed = strictJson(ok(cli, "runs", "list", "--verb", "rebalance", "-o", "json")).get("runs").get(0);
            assertThat(listed.path("status").asText()).as(listed.toString()).isEqualTo("failed");
        }
    }
}
