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
 * Found by probing: 'rebalance plan --pool pool-3' of a draining pool-3 said "no active pool has room … add a pool or
 * raise a capacity" while pool-1 and pool-2, left out by --pool, had room for every org. The plan names them and the
 * --pool that takes them in; apply's refusal says to name them there.
 */
class RebalanceDrainNarrowedByPoolTest {

    @Test
    void aDrainNarrowedByPoolNamesThePoolsWithRoomItLeftOut(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Path schema = CliFixture.smallSchema(dir);
        try (TestPools pools = new TestPools(3)) {
            Cli cli = Cli.withCatalog(url);
            for (int i = 0; i < 3; i++) {
                CliFixture.addPool(cli, "pool-" + (i + 1), pools.uri(i), 10, i + 1);
            }
            ok(cli, "provision", "x1", "--schema", schema.toString(), "--pool", "pool-3");
            ok(cli, "pools", "drain", "pool-3");

            JsonNode plan = strictJson(ok(cli, "rebalance", "plan", "--pool", "pool-3", "-o", "json"));
            assertThat(plan.get("notes").toString()).as(plan.toString())
                    .contains("pools pool-1, pool-2 have room but are not in --pool").contains("'--pool pool-3,pool-1,pool-2'");
            Cli.Result narrowed = cli.run("rebalance", "apply", "--pool", "pool-3");
            assertThat(narrowed.exitCode()).as(narrowed.toString()).isEqualTo(1);
            assertThat(narrowed.err() + narrowed.out()).contains("name the pools with room the notes list in --pool");

            ok(cli, "rebalance", "apply", "--pool", "pool-3,pool-1,pool-2", "--freeze-grace", "0");
            assertThat(strictJson(ok(cli, "orgs", "show", "x1", "-o", "json")).get("pool_id").asText()).isNotEqualTo("pool-3");
            CliFixture.assertExactly(url, schema, List.of("x1"));
        }
    }
}
