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
import java.util.concurrent.atomic.AtomicReference;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming placement: a move checks that its target is active only when it records the move; its flip does
 * not look again. An operator who drains pool-1 ("no new orgs there": it is being emptied or misbehaves) while a
 * {@code rebalance move}/{@code apply} is copying an org into it gets {@code pools drain} exit 0, and a moment later the
 * move flips the org onto the draining pool anyway — a new org on a drained pool, which the next {@code rebalance plan}
 * has to move off again (another freeze). Revert's flip back checks its pool's status under the placement lock; the
 * move's flip must too (abort, the org left on its source), or the drain must refuse/say that moves into the pool are in
 * flight. Either way: once {@code pools drain} has said the pool is draining, no org arrives there.
 */
class DrainDuringAMoveIntoThePoolTest {

    @Test
    void aPoolDrainedWhileAMoveCopiesIntoItGetsNoNewOrg(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            Map<String, List<RawBsonDocument>> live = BackupFixture.contents(f.db("acme"));

            // the move creates acme's collections on pool-1 (the source creates nothing): the drain is typed then
            AtomicReference<Cli.Result> drain = new AtomicReference<>();
            Cli hooked = f.cli.decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (db.equals("org_acme") && HookedPools.is(cmd, "create") && drain.get() == null) {
                    drain.set(f.cli.run("pools", "drain", "pool-1", "-o", "json"));
                }
            }));
            Cli.Result move = hooked.run("rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");

            assertThat(drain.get()).as("the drain ran during the move's copy: %s", move).isNotNull();
            JsonNode pool1 = strictJson(ok(f.cli, "pools", "show", "pool-1", "-o", "json"));
            if (drain.get().exitCode() == 0) {
                assertThat(pool1.get("status").asText()).isEqualTo("draining");
                assertThat(f.org("acme").get("pool_id").asText())
                        .as("pools drain said pool-1 takes no new orgs (%s); the move then: %s", drain.get(), move).isEqualTo("pool-0");
                assertThat(pool1.get("orgs").asInt()).as("orgs on the drained pool").isZero();
            }
            // whatever happened, acme is active with all its data where the catalog points
            f.assertHolds("acme", live);
        }
    }
}
