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
 * {@code rebalance revert} reads both sides whole (each taken as the ledger was) before it flips the org back. Those reads
 * were not made again after a dropped connection: one cut halfway through the target's read failed the revert, the org
 * left where it was, and the operator had to run it again by hand. They read on from the last _id they read.
 */
class RevertPastADroppedConnectionTest {

    @TempDir
    Path dir;

    @Test
    void theRevertsReadOfTheTargetGoesOnAfterADroppedConnection() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 2_500); // three batches
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            JsonNode moved = strictJson(ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0s", "-o", "json"));
            String moveId = moved.get("orgs").get(0).get("move_id").asText();

            AtomicBoolean dropped = new AtomicBoolean();
            Cli cli = f.newCli().decoratePools(real -> HookedPools.databases(real, (pool, uri, name) -> !pool.equals("pool-1")
                    ? real.database(pool, uri, name)
                    : HookedPools.aroundCollectionCall(real.database(pool, uri, name), "find", (collection, args, find) ->
                            !collection.equals("notes") ? find.get()
                                    : HookedPools.dropsItsCursor(find.get(), 500, projection -> dropped.compareAndSet(false, true)))));
            Cli.Result r = cli.run("rebalance", "revert", moveId);

            assertThat(dropped).as("the revert's read of the target lost its connection: %s", r).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            f.assertHolds("acme", before);
        }
    }
}
