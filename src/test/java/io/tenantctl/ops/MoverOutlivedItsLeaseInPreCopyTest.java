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
 * Review of f9399b7 / Mover.stillOurs: the check guards the frozen catch-up only. The first copy (preCopy, run while the
 * org is live, by far the longest phase of a move and so where a process is most likely to outlive its lease) writes to
 * the target with no such check. A mover paused there is rolled back by 'rebalance resume'; the org is moved again to the
 * same target name and goes live; the application deletes a document there. When the first mover wakes, its first copy
 * goes on inserting the old source's documents into the org's live database: the deleted document comes back (and
 * any _id the application reused is left as it was, silently). Only its freeze, afterwards, fails.
 */
class MoverOutlivedItsLeaseInPreCopyTest {

    @Test
    void aMoverThatWakesUpInItsFirstCopyAfterItWasRolledBackNeverWritesToTheOrgsLiveDatabase() throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 1_200);
            CountDownLatch stalled = new CountDownLatch(1);
            CountDownLatch wake = new CountDownLatch(1);
            AtomicBoolean once = new AtomicBoolean();
            Rebalance first = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.PLANNED && once.compareAndSet(false, true)) { // just before its first copy
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

            try (Connection c = DriverManager.getConnection(f.url); Statement s = c.createStatement()) {
                s.executeUpdate("update org_leases set lease_until = now() - interval '1 second'");
            }
            new Rebalance(f.ctx).resume(false);
            assertThat(f.catalog.orgs().get("acme").status()).isEqualTo(Org.ACTIVE);

            Rebalance.Result m2 = f.move(new Rebalance(f.ctx), "acme", "p2");
            assertThat(m2.report().count("moved")).as(m2.report().toString()).isEqualTo(1);
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
            assertThat(f.catalog.orgs().get("acme").databaseName()).isEqualTo("org_acme");
            // the tenant deletes a note on the live database (GDPR erasure, say)
            f.current("acme").getCollection("notes").deleteOne(new Document("_id", 7));
            long live = f.current("acme").getCollection("notes").countDocuments();

            wake.countDown();
            try {
                m1.get(120, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException expected) {
                // the first mover failing is fine; what it wrote is the point
            }

            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
            assertThat(f.current("acme").getCollection("notes").countDocuments(new Document("_id", 7)))
                    .as("the note deleted on the live database after the second move stays deleted").isZero();
            assertThat(f.current("acme").getCollection("notes").countDocuments()).isEqualTo(live);
        }
    }
}
