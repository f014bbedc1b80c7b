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
 * (the error names it) → 'pools stats POOL', then the move into it again. Its rollback then tried to drop the partial
 * copy on that dead target six times over, with backoff, after the copy's own six tries and a failed ping: one try, the
 * copy left for 'rebalance gc', the org whole on its source.
 */
@Timeout(120)
class AMoveWhosePoolStopsAnsweringMidCopyTest {

    @Test
    void aTargetThatDiesMidCopyIsNamedAndLookedAtFirst(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("big");
            f.notes("big", "notes", 50);
            io.tenantctl.ops.Fingerprint before = io.tenantctl.ops.Fingerprints.of(f.db("big"));
            java.util.Map<String, java.util.List<org.bson.RawBsonDocument>> documents = BackupFixture.contents(f.db("big"));
            AtomicBoolean killed = new AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger drops = new java.util.concurrent.atomic.AtomicInteger();
            // pool-1, the target, dies as the move first writes into it; each try to reach it then waits out the connect
            // timeout, which is cut to 300 ms (as OnCallDeadPoolMessagesTest's): the move's retries on the dead target are
            // what is tested, not how long each one waits
            Cli cli = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                    io.tenantctl.pool.PoolClients.CONNECT_TIMEOUT_ENV, "300", "USER", "test")).decoratePools(real -> HookedPools.databases(real, (poolId, uri, name) -> {
                MongoDatabase db = real.database(poolId, uri, name);
                return !poolId.equals("pool-1") || !name.startsWith("org_") ? db : HookedPools.beforeEach(HookedPools.beforeEach(db, "getCollection", args -> {
                    if (killed.compareAndSet(false, true)) {
                        f.pools.kill(1);
                    }
                }), "drop", args -> drops.incrementAndGet());
            }));

            Cli.Result r = cli.run("rebalance", "move", "big", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");

            assertThat(killed).as("the target died mid-copy: %s", r).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode failed = strictJson(r).get("failed").get(0);
            assertThat(failed.get("error").asText()).as(r.toString()).contains("aborted: pool pool-1 stopped answering (");
            assertThat(failed.get("next_step").asText()).as(r.toString()).isEqualTo("tenantctl pools stats pool-1");
            assertThat(failed.get("next_note").asText()).as(r.toString()).contains("tenantctl rebalance move big --to pool-1");
            // the target was just seen dead (the copy's six tries, then a ping): the rollback's drop is tried once, not six
            // times more, and what it leaves there is 'rebalance gc''s
            assertThat(drops).as("tries to drop the partial copy on the dead target: %s", r).hasValue(1);
            assertThat(failed.get("error").asText()).as(r.toString()).contains("is left on pool-1 (not answering at the one try to drop it)",
                    "'tenantctl rebalance gc' drops it once pool-1 answers", "org big is active on its source pool-0");
            try (java.sql.ResultSet rs = f.sql().createStatement().executeQuery("select state || ' ' || target_dropped from moves where org_id = 'big'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("recorded as an aborted move whose target gc is to drop").isEqualTo("aborted false");
            }
            assertThat(f.org("big").get("pool_id").asText()).isEqualTo("pool-0");
            f.assertHolds("big", documents); // active, its schema, every document the same, byte for byte
            assertThat(io.tenantctl.ops.Fingerprints.of(f.db("big"))).as("the source's counts and digests").isEqualTo(before);
        }
    }
}
