package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rebalance gc} holds a retained source to its move's ledger before it drops it. That read was not made again
 * after a dropped connection: one cut halfway through kept the source ("could not be compared"), for gc to be run again.
 * It reads on from the last _id it read.
 */
class GcPastADroppedConnectionTest {

    @TempDir
    Path dir;

    @Test
    void gcsReadOfARetainedSourceGoesOnAfterADroppedConnection() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 2_500); // three batches
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0s");

            AtomicBoolean dropped = new AtomicBoolean();
            Cli cli = f.newCli().decoratePools(real -> HookedPools.databases(real, (pool, uri, name) -> !pool.equals("pool-0")
                    ? real.database(pool, uri, name)
                    : HookedPools.aroundCollectionCall(real.database(pool, uri, name), "find", (collection, args, find) ->
                            !collection.equals("notes") ? find.get()
                                    : HookedPools.dropsItsCursor(find.get(), 500, projection -> dropped.compareAndSet(false, true)))));
            Cli.Result r = cli.run("rebalance", "gc", "--older-than", "0", "-o", "json");

            assertThat(dropped).as("gc's read of the retained source lost its connection: %s", r).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode gc = strictJson(r);
            assertThat(gc.get("items").get(0).get("action").asText()).as(gc.toString()).isEqualTo("dropped");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            f.assertHolds("acme", before);
        }
    }
}
