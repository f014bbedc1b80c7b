package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.ServerAddress;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.SocketTimeoutException;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found that on a 1,000-org sandbox fleet each pool's listDatabases (~30 s for 340 databases) passed the
 * driver's read timeout, and verify reported every pool pool_unreachable with the advice to drain it, while the pools
 * answered their pings and every other verb worked on them. A pool that answers its ping but not its listing could not be
 * checked (check_failed naming the listing and how long it took, the fix the verify of that pool); pool_unreachable and
 * its drain advice stay for a pool that does not answer.
 */
class VerifyOfAPoolSlowToListItsDatabasesTest {

    @Test
    void aListingThatTimesOutOnAPoolThatAnswersItsPingIsCheckFailedNotUnreachable(@TempDir Path dir) {
        try (TestPools pools = new TestPools(2)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-a", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-b", pools.uri(1), 10, 2);
            String schema = CliFixture.smallSchema(dir).toString();
            ok(cli, "provision", "acme", "globex", "--pool", "pool-a", "--schema", schema);
            ok(cli, "provision", "initech", "--pool", "pool-b", "--schema", schema);

            Cli slow = cli.decoratePools(real -> {
                PoolConnector timingOut = HookedPools.onCommand(real, (db, cmd) -> {
                    if (HookedPools.is(cmd, "listDatabases")) {
                        throw new MongoSocketReadTimeoutException("Timed out while receiving message", new ServerAddress(),
                                new SocketTimeoutException("Read timed out"));
                    }
                });
                // it answers its ping (real's)
                return HookedPools.databases(real, (poolId, uri, name) -> (poolId.equals("pool-a") ? timingOut : real).database(poolId, uri, name));
            });
            Cli.Result r = slow.run("verify", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            JsonNode doc = strictJson(r);
            assertThat(findings(doc, "pool_unreachable")).as(r.toString()).isEmpty();
            assertThat(r.out() + r.err()).as("a pool that answers is never to be drained").doesNotContain("pools drain");
            assertThat(findings(doc, "check_failed")).as(r.toString()).singleElement().satisfies(x -> {
                assertThat(x.get("pool_id").asText()).isEqualTo("pool-a");
                assertThat(x.get("org_id").isNull()).as("one finding for the pool, not one per org").isTrue();
                assertThat(x.get("detail").asText()).contains("pool pool-a").contains("listDatabases").contains("Timed out")
                        .containsPattern("after \\d+(\\.\\d+)? s").contains("2 orgs");
                assertThat(x.get("fix").asText()).isEqualTo("tenantctl verify --pool pool-a");
            });
            assertThat(doc.get("orgs").findValuesAsText("org_id")).contains("initech");

            // the plain text says the same
            Cli.Result text = slow.run("verify");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(4);
            assertThat(text.out()).contains("check_failed").contains("tenantctl verify --pool pool-a").doesNotContain("pools drain")
                    .doesNotContain("pool_unreachable");
        }
    }
}
