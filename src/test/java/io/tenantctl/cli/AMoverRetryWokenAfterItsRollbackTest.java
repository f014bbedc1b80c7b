package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A move's first-copy batch is retried after a dropped connection (MoveCopyPastADroppedConnectionTest). A retry is a new
 * write: a mover paused (kill -STOP) in a batch past its lease, its move rolled back by 'rebalance resume' meanwhile (the
 * target dropped), wakes to a dead connection. Its retry wrote the batch again into the dropped target, recreating it;
 * only the batch in flight may land (AMoverWokenAfterItsRollbackTest), and that one did not.
 */
@Timeout(120)
class AMoverRetryWokenAfterItsRollbackTest {

    @TempDir
    Path dir;

    @Test
    void theRetryOfABatchWhoseConnectionDroppedWhileItWasStoppedWritesNothing() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            AMoverWokenAfterItsRollbackTest.acmeWithUsers(f);
            // its connection was cut while it was stopped: nothing of the batch went in
            Pause pause = Pause.at(2).thenConnectionLost();
            Cli mover = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real, "org_acme"::equals, "insertMany",
                    pause.on("users"))); // the target's: the mover inserts nowhere else
            assertTheWokenMoverWritesNothing(f, AMoverWokenAfterItsRollbackTest.rolledBackWhilePaused(f, mover, pause,
                    "the mover reached its second batch of users").move(), pause);
        }
    }

    /**
     * The same in the frozen catch-up: the app changed a document during the first copy, the mover is stopped in the
     * catch-up's write of that collection past its lease, the move rolled back; woken to a dead connection, its retry
     * looked the dropped target up, found nothing and wrote the whole batch into it again.
     */
    @Test
    void theRetryOfACatchUpBatchAfterARollbackWritesNothing() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 2_500);
            Document changed = new Document("$set", new Document("text", "changed during the first copy"));
            java.util.concurrent.atomic.AtomicBoolean updated = new java.util.concurrent.atomic.AtomicBoolean();
            Pause pause = Pause.at(1).thenConnectionLost();
            Cli mover = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real, "org_acme"::equals, "insertMany",
                    (collection, args, insert) -> {
                        if (args.length == 2 && updated.compareAndSet(false, true)) { // the first copy's first batch: the app writes
                            f.database("pool-0", "org_acme").getCollection("notes").updateOne(new Document("_id", 0), changed);
                        }
                        if (args.length == 1) { // the catch-up's
                            pause.call();
                        }
                        return insert.get();
                    }));
            assertTheWokenMoverWritesNothing(f, AMoverWokenAfterItsRollbackTest.rolledBackWhilePaused(f, mover, pause,
                    "the mover reached its catch-up").move(), pause);
        }
    }

    /** A mover woken to find its move rolled back failed and wrote nothing more: no batch, no target again. */
    private static void assertTheWokenMoverWritesNothing(BackupFixture f, Cli.Result woke, Pause pause) {
        assertThat(woke.exitCode()).as(woke.toString()).isEqualTo(1);
        assertThat(pause.callsAfterIt()).as("inserts made after it woke: %s", woke).isZero();
        assertThat(f.databaseNames("pool-1")).as("the dropped target, written again: %s", woke).doesNotContain("org_acme");
        assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
    }
}
