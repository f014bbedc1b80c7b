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
 * drain would work. It now says what the apply would leave, and exits 1 too; nothing moves.
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
            assertThat(dry.err()).contains("pool pool-1 is draining and would still hold 1 org(s)");
            Cli.Result table = cli.run("rebalance", "apply", "--dry-run");
            assertThat(table.exitCode()).as("the table's exit code is the JSON's: a pipeline gates on it; %s", table).isEqualTo(1);
            assertThat(table.err()).contains("pool pool-1 is draining and would still hold 1 org(s)");
            assertThat(CliFixture.strictJson(CliFixture.ok(cli, "orgs", "show", "acme", "-o", "json")).get("pool_id").asText())
                    .as("a dry run moves nothing").isEqualTo("pool-1");
        }
    }
}
