package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A drain the other pools have no room for: the real {@code rebalance apply} exits 1 and lists the orgs it leaves in
 * {@code left_on_draining}; its {@code --dry-run} exited 0 with {@code left_on_draining} empty, so the rehearsal said the
 * drain would work. It now says what the apply would leave, and exits 1 too; nothing moves. The apply then leaves those
 * orgs, and records its run failed (it recorded it succeeded, so runs list and runs show said the drain was done).
 */
class RebalanceApplyDryRunSaysWhatADrainLeavesTest {

    @Test
    void theDryRunOfADrainWithNoRoomForEveryOrgExitsOneNamingWhatItWouldLeave(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Path schema = CliFixture.smallSchema(dir);
        try (TestPools pools = new TestPools(2)) {
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(1), 1, 2); // room for one org only
            CliFixture.ok(cli, "provision", "--schema", schema.toString(), "--pool", "pool-1", "acme", "globex");
            CliFixture.ok(cli, "pools", "drain", "pool-1");

            Cli.Result dry = cli.run("rebalance", "apply", "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            JsonNode left = strictJson(dry).get("left_on_draining");
            assertThat(left.get("pool-1")).as(dry.toString()).hasSize(1);
            assertThat(dry.err()).contains("pool pool-1 is draining and would still hold 1 org");
            Cli.Result table = cli.run("rebalance", "apply", "--dry-run");
            assertThat(table.exitCode()).as("the table's exit code is the JSON's: a pipeline gates on it; %s", table).isEqualTo(1);
            assertThat(table.err()).contains("pool pool-1 is draining and would still hold 1 org");
            assertThat(CliFixture.strictJson(CliFixture.ok(cli, "orgs", "show", "acme", "-o", "json")).get("pool_id").asText())
                    .as("a dry run moves nothing").isEqualTo("pool-1");

            // the apply leaves what its dry run said, and its run is recorded failed, as the exit code says: a run whose
            // orgs were not all done (it was recorded succeeded, so runs list / runs show said the drain was done)
            Cli.Result r = cli.run("rebalance", "apply", "--freeze-grace", "0", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode doc = strictJson(r);
            assertThat(doc.path("moved").asInt()).as(r.toString()).isEqualTo(1);
            assertThat(doc.path("left_on_draining")).as(r.toString()).isEqualTo(left);
            assertThat(doc.path("status").asText()).as("the run's status agrees with the exit code: %s", r).isEqualTo("failed");
            String runId = doc.path("run_id").asText();
            JsonNode run = strictJson(CliFixture.ok(cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("failed");
            assertThat(run.path("reason").asText()).as(run.toString()).contains("pool-1").contains(left.get("pool-1").get(0).asText());
            JsonNode listed = strictJson(CliFixture.ok(cli, "runs", "list", "--verb", "rebalance", "-o", "json")).get("runs").get(0);
            assertThat(listed.path("status").asText()).as(listed.toString()).isEqualTo("failed");
        }
    }
}
