package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: lowering a full pool's capacity by one was refused with "move them off (pools drain,
 * rebalance plan, rebalance apply)" — every org moved off and the pool left draining, where one move would do. The
 * refusal says how many must move and how, and keeps the drain for emptying the pool.
 */
class SetCapacityBelowTheCountNamesTheMovesItNeedsTest {

    @Test
    void aCapacityOneBelowTheCountNeedsOneMove(@TempDir Path dir) {
        try (TestPools pools = new TestPools(2)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 4, 1);
            CliFixture.addPool(cli, "pool-1", pools.uri(1), 10, 2);
            ok(cli, "provision", "a1", "a2", "a3", "a4", "--schema", CliFixture.smallSchema(dir).toString(), "--pool", "pool-0");

            Cli.Result refused = cli.run("pools", "set-capacity", "pool-0", "--capacity", "3");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
            assertThat(refused.err()).contains("move 1 of them off").contains("'tenantctl rebalance move ORG --to POOL'")
                    .contains("'tenantctl pools enable pool-0' takes new orgs again");

            ok(cli, "rebalance", "move", "a1", "--to", "pool-1", "--freeze-grace", "0"); // the one move it names
            ok(cli, "pools", "set-capacity", "pool-0", "--capacity", "3");
            assertThat(ok(cli, "pools", "show", "pool-0", "-o", "json").json().get("status").asText()).isEqualTo("active");
        }
    }
}
