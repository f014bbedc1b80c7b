package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A move whose target pool stops answering mid-copy was rolled back rightly, but its error was the driver's
 * ("aborted: Exception sending message") and its next step 'rebalance status'. README: a target that does not answer
 * (the error names it) → 'pools stats POOL', then the move into it again.
 */
@Timeout(120)
class AMoveWhosePoolStopsAnsweringMidCopyTest {

    @Test
    void aTargetThatDiesMidCopyIsNamedAndLookedAtFirst(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("big");
            f.notes("big", "notes", 50);
            AtomicBoolean killed = new AtomicBoolean();
            // pool-1, the target, dies as the move first writes into it; each try to reach it then waits out the connect
            // timeout, which is cut to 300 ms (as OnCallDeadPoolMessagesTest's): the move's retries on the dead target are
            // what is tested, not how long each one waits
            Cli cli = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                    io.tenantctl.pool.PoolClients.CONNECT_TIMEOUT_ENV, "300", "USER", "test")).decoratePools(real -> HookedPools.databases(real, (poolId, uri, name) -> {
                MongoDatabase db = real.database(poolId, uri, name);
                return !poolId.equals("pool-1") || !name.startsWith("org_") ? db : HookedPools.beforeEach(db, "getCollection", args -> {
                    if (killed.compareAndSet(false, true)) {
                        f.pools.kill(1);
                    }
                });
            }));

            Cli.Result r = cli.run("rebalance", "move", "big", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");

            assertThat(killed).as("the target died mid-copy: %s", r).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode failed = strictJson(r).get("failed").get(0);
            assertThat(failed.get("error").asText()).as(r.toString()).contains("aborted: pool pool-1 stopped answering (");
            assertThat(failed.get("next_step").asText()).as(r.toString()).isEqualTo("tenantctl pools stats pool-1");
            assertThat(failed.get("next_note").asText()).as(r.toString()).contains("tenantctl rebalance move big --to pool-1");
            assertThat(f.org("big").get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(f.org("big").get("status").asText()).isEqualTo("active");
        }
    }
}
