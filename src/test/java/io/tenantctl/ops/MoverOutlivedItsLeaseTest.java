package io.tenantctl.ops;

import io.tenantctl.catalog.MoveState;
import io.tenantctl.catalog.Org;
import io.tenantctl.testing.Pause;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a move whose lease expired while its process was still alive (stopped, partitioned from the catalog, paused)
 * is rolled back by {@code rebalance resume}; the org is moved again by a second move, to the same target name
 * ({@code org_acme} on p2), and goes live there. When the first mover wakes up inside its catch-up it never re-checks that
 * its move still exists: it "catches up" the org's now-live database from the retired source, and deletes every
 * document written since the second move's flip ("extras" the source lacks). Only afterwards does its next step fail.
 */
class MoverOutlivedItsLeaseTest {

    /** Stalled in its catch-up: it must not sync the org's new live database from the old source (deleting new writes). */
    @Test
    void aMoverThatWakesUpAfterItWasRolledBackNeverWritesToTheOrgsLiveDatabase() throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 1_200);
            long[] live = new long[1];
            stalledRolledBackAndMovedAgain(f, MoveState.COPYING, () -> {
                f.current("acme").getCollection("notes").insertOne(new Document("_id", "order paid on p2"));
                live[0] = f.current("acme").getCollection("notes").countDocuments();
            });
            assertThat(f.current("acme").getCollection("notes").countDocuments(new Document("_id", "order paid on p2")))
                    .as("the write made on the live database after the second move").isEqualTo(1);
            assertThat(f.current("acme").getCollection("notes").countDocuments()).isEqualTo(live[0]);
        }
    }

    /**
     * Stalled just before its first copy (the longest phase of a move, so where a process most likely outlives its lease):
     * it must not insert the old source's documents into the org's new live database (a note deleted there comes back).
     */
    @Test
    void aMoverThatWakesUpInItsFirstCopyAfterItWasRolledBackNeverWritesToTheOrgsLiveDatabase() throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 1_200);
            stalledRolledBackAndMovedAgain(f, MoveState.PLANNED, () -> {
                assertThat(f.catalog.orgs().get("acme").databaseName()).isEqualTo("org_acme");
                f.current("acme").getCollection("notes").deleteOne(new Document("_id", 7)); // the tenant erases a note
            });
            assertThat(f.current("acme").getCollection("notes").countDocuments(new Document("_id", 7)))
                    .as("the note deleted on the live database after the second move stays deleted").isZero();
        }
    }

    /**
     * A move of acme to p2 stalls at {@code stallAt} (its process stopped); its lease runs out and 'rebalance resume' rolls
     * it back; a second move takes acme to p2 under the same name and it goes live, where {@code onLive} writes; then the
     * first mover wakes and is let finish (or fail).
     */
    private static void stalledRolledBackAndMovedAgain(RebalanceFixture f, MoveState stallAt, Runnable onLive) throws Exception {
        Pause stalled = Pause.at(1);
        Rebalance first = new Rebalance(f.ctx, (state, move) -> {
            if (state == stallAt) {
                stalled.call();
            }
        });
        Rebalance.PlannedMove plan = first.planOne("acme", "p2");
        CompletableFuture<Rebalance.Result> m1 = RebalanceFixture.applyOnAThread(first, plan);
        stalled.awaitPaused("the first mover reached " + stallAt);

        // its lease runs out; rebalance resume rolls the move back (target dropped, acme active on p1 again)
        try (Connection c = DriverManager.getConnection(f.url); Statement s = c.createStatement()) {
            s.executeUpdate("update org_leases set lease_until = now() - interval '1 second'");
        }
        new Rebalance(f.ctx).resume(false);
        assertThat(f.catalog.orgs().get("acme").status()).isEqualTo(Org.ACTIVE);
        f.db(1, "org_acme").getCollection("notes").insertOne(new Document("_id", "written on p1 after the roll-back"));

        // the on-call engineer moves it again; it goes live on p2 and the application works there
        Rebalance.Result m2 = f.move(new Rebalance(f.ctx), "acme", "p2");
        assertThat(m2.report().count("moved")).as(m2.report().toString()).isEqualTo(1);
        assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
        onLive.run();

        stalled.wake();
        try {
            m1.get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException failed) {
            // the first mover failing is fine; what it wrote is the point
        }
        assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
    }
}
