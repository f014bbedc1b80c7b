package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming the pools surface: {@code pools set-capacity pool-0 --capacity 0} on a pool holding one active
 * and one {@code deleting} org is refused "pool pool-0 holds 2 orgs (moves into it and deleting orgs count): … move
 * orgs off it first ('tenantctl pools drain pool-0', then 'tenantctl rebalance plan')". Followed to the letter (drain,
 * plan, apply), the active org moves away, but a deleting org is never moved by rebalance (only active/read_only orgs
 * are): set-capacity is refused again with the very same hint, an endless loop. What frees a deleting org's place is
 * {@code orgs purge}, which the message never names. Every printed hint must work when run.
 */
class SetCapacityHintWithDeletingOrgsTest {

    @Test
    void followingTheSetCapacityRefusalsHintLetsTheCapacityBeSet(@TempDir Path dir) {
        try (TestPools pools = new TestPools(2)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 3, 1);
            CliFixture.addPool(cli, "pool-1", pools.uri(1), 10, 2);
            String schema = CliFixture.smallSchema(dir).toString();
            ok(cli, "provision", "acme", "old", "--schema", schema, "--pool", "pool-0");
            ok(cli, "orgs", "delete", "old", "--no-backup");

            Cli.Result refused = cli.run("pools", "set-capacity", "pool-0", "--capacity", "0");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
            assertThat(refused.err()).as(refused.toString()).contains("tenantctl pools drain pool-0").contains("tenantctl rebalance plan");

            // the hint, followed: drain, plan, and apply the plan
            ok(cli, "pools", "drain", "pool-0");
            ok(cli, "rebalance", "plan");
            ok(cli, "rebalance", "apply", "--freeze-grace", "0");
            assertThat(ok(cli, "orgs", "show", "acme", "-o", "json").json().get("pool_id").asText()).isEqualTo("pool-1");

            Cli.Result again = cli.run("pools", "set-capacity", "pool-0", "--capacity", "0");
            assertThat(again.exitCode() == 0 || again.err().contains("orgs purge"))
                    .as("the refusal's hint was followed and set-capacity is refused again, with the same hint and no word of "
                            + "'orgs purge' (what frees a deleting org's place): %s", again).isTrue();
        }
    }
}
