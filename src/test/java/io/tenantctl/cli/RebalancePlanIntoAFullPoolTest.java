package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: the planner counted a full pool's place as free as soon as the same plan moved an org off it, and
 * so did apply's dry run; the apply runs a plan's moves at once, and a source's place is taken until its move flips,
 * so the move in was refused ("pool-1 is full"): dry run exit 0, apply exit 1. A plan now moves orgs only into places
 * free while its moves run, and the dry run counts them so.
 */
class RebalancePlanIntoAFullPoolTest {

    @Test
    void aPlanTheApplyCanRunAndADryRunThatSaysWhatItDoes(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Path schema = CliFixture.smallSchema(dir);
        try (TestPools pools = new TestPools(3)) {
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 2, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(1), 5, 2);
            CliFixture.addPool(cli, "pool-3", pools.uri(2), 2, 3);
            ok(cli, "provision", "p1", "p2", "--schema", schema.toString(), "--pool", "pool-1");
            List<String> qs = CliFixture.ids("q", 1, 6);
            ok(cli, CliFixture.args(List.of("provision", "--schema", schema.toString(), "--pool", "pool-2"), qs));

            JsonNode plan = strictJson(ok(cli, "rebalance", "plan", "-o", "json"));
            plan.get("moves").forEach(m -> assertThat(m.get("to_pool").asText()).as("pool-1 is full while its moves run: %s", plan)
                    .isNotEqualTo("pool-1"));
            Cli.Result dry = cli.run("rebalance", "apply", "--dry-run", "-o", "json");
            Cli.Result real = cli.run("rebalance", "apply", "--freeze-grace", "0", "-o", "json");
            assertThat(real.exitCode()).as(real.toString()).isZero();
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(real.exitCode());
            assertThat(strictJson(dry).get("counts").get("planned").asInt()).isEqualTo(strictJson(real).get("counts").get("moved").asInt());
            JsonNode pool1 = strictJson(ok(cli, "pools", "show", "pool-1", "-o", "json"));
            assertThat(pool1.get("orgs").asInt()).isLessThanOrEqualTo(2);
            List<String> all = new java.util.ArrayList<>(List.of("p1", "p2"));
            all.addAll(qs);
            CliFixture.assertExactly(url, schema, all);
        }
    }
}
