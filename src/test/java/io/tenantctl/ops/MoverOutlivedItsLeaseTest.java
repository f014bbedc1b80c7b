package io.tenantctl.ops;

import io.tenantctl.catalog.MoveState;
import io.tenantctl.catalog.Org;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a move whose lease expired while its process was still alive (stopped, partitioned from the catalog, paused)
 * is rolled back by {@code rebalance resume}; the org is moved again by a second move, to the same target name
 * ({@code org_acme} on p2), and goes live there. When the first mover wakes up inside its catch-up it never re-checks that
 * its move still exists: it "catches up" the org's now-live database from the retired source, and deletes every
 * document written since the second move's flip ("extras" the source lacks). Only afterwards does its next step fail.
 */
class MoverOutlivedItsLeaseTest {

    @Test
    void aMoverThatWakesUpAfterItWasRolledBackNeverWritesToTheOrgsLiveDatabase() throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 1_200);
            CountDownLatch stalled = new CountDownLatch(1);
            CountDownLatch wake = new CountDownLatch(1);
            AtomicBoolean once = new AtomicBoolean();
            Rebalance first = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.COPYING && once.compareAndSet(false, true)) {
                    stalled.countDown();
                    try {
                        wake.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            Rebalance.PlannedMove plan = first.planOne("acme", "p2");
            CompletableFuture<Rebalance.Result> m1 = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    m1.complete(first.apply(RebalanceFixture.request(java.util.List.of(plan), java.time.Duration.ofMinutes(5), false)));
                } catch (Throwable e) {
                    m1.completeExceptionally(e);
                }
            });
            t.setDaemon(true);
            t.start();
            assertThat(stalled.await(60, TimeUnit.SECONDS)).isTrue();

            // its lease runs out; rebalance resume rolls the move back (target dropped, acme active on p1 again)
            try (Connection c = DriverManager.getConnection(f.url); Statement s = c.createStatement()) {
                s.executeUpdate("update org_leases set lease_until = now() - interval '1 second'");
            }
            new Rebalance(f.ctx).resume(false);
            assertThat(f.catalog.orgs().get("acme").status()).isEqualTo(Org.ACTIVE);
            f.db(1, "org_acme").getCollection("notes").insertOne(new Document("_id", "written on p1 after the roll-back"));

            // the on-call engineer moves it again; it goes live on p2 and the application writes there
            Rebalance.Result m2 = f.move(new Rebalance(f.ctx), "acme", "p2");
            assertThat(m2.report().count("moved")).as(m2.report().toString()).isEqualTo(1);
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
            f.current("acme").getCollection("notes").insertOne(new Document("_id", "order paid on p2"));
            long live = f.current("acme").getCollection("notes").countDocuments();

            wake.countDown();
            m1.get(120, TimeUnit.SECONDS);

            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
            assertThat(f.current("acme").getCollection("notes").countDocuments(new Document("_id", "order paid on p2")))
                    .as("the write made on the live database after the second move").isEqualTo(1);
            assertThat(f.current("acme").getCollection("notes").countDocuments()).isEqualTo(live);
        }
    }
}
