package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static io.tenantctl.cli.CliFixture.addPool;
import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper gave one pool a user without the privileges tenantctl needs (every command there answered code 13,
 * Unauthorized, at once). migrate-all and backup failed its orgs naming the error, but rebalance plan said the pool
 * "stopped answering while the plan read org a1's size", and verify's fix for its refused listing was to wait until "the
 * pool lists its databases in time (a reply slower than TENANTCTL_POOL_SOCKET_TIMEOUT_MS …)": both tell a refusal as a
 * silence. They now say the pool refused, and that its user lacks a privilege.
 */
@Timeout(60)
class APoolWhoseUserLacksPrivilegesTest {

    @Test
    void aRefusalIsNotToldAsASilence() {
        try (TestPools pools = new TestPools(2)) {
            String url = CliFixture.initialisedCatalog();
            Cli plain = Cli.withCatalog(url);
            addPool(plain, "pool-a", pools.uri(0), 2, 1);
            addPool(plain, "pool-b", pools.uri(1), 10, 2);
            ok(plain, "provision", "a1", "a2", "b1");
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test")).decoratePools(real -> HookedPools.databases(real,
                    (poolId, uri, name) -> poolId.equals("pool-a")
                            ? HookedPools.failing(real.database(poolId, uri, name), "runCommand", 13, "not authorized on " + name + " to execute command")
                            : real.database(poolId, uri, name)));

            Cli.Result plan = cli.run("rebalance", "plan");
            assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(3);
            assertThat(plan.err()).as(plan.toString()).contains("pool pool-a refused reading org a")
                    .contains("code 13").contains("its user lacks a privilege").doesNotContain("stopped answering");

            Cli.Result verify = cli.run("verify", "-o", "json");
            assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(4);
            JsonNode doc = strictJson(verify);
            assertThat(findings(doc, "check_failed")).singleElement().satisfies(x -> {
                assertThat(x.get("pool_id").asText()).isEqualTo("pool-a");
                assertThat(x.get("detail").asText()).contains("code 13");
                assertThat(x.get("fix_note").asText()).as(verify.toString())
                        .contains("its user lacks a privilege").doesNotContain("in time").doesNotContain("SOCKET_TIMEOUT");
            });
        }
    }
}
