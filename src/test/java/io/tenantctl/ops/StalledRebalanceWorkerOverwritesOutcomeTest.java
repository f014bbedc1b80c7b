package io.tenantctl.ops;

import io.tenantctl.catalog.MoveState;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.testing.Pause;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: two workers share a rebalance run. Worker A stalls mid-move (a long GC pause, a partition from the
 * catalog) past its lease; worker B (--join) claims the expired item, takes the org's expired lease — whose recovery rolls
 * A's move back — and moves the org itself: the item is recorded succeeded ("moved"). Then A wakes. Its mover finds its
 * move aborted and stops without writing (good), but its catch block reads "not before the flip" as "flipped": it fails
 * with "org acme was moved: its pointer flipped to p2, but recording the move's end failed …; 'tenantctl rebalance
 * resume' finishes it" — about a move that never flipped — and the engine records that failure over B's outcome
 * (itemFinished does not check who holds the item). The run's record of acme turns from moved to failed, with a next step
 * for a move that does not exist.
 */
class StalledRebalanceWorkerOverwritesOutcomeTest {

    @Test
    void aWorkerThatOutlivedItsLeaseDoesNotOverwriteTheOutcomeOfTheWorkerThatTookOver() throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 1_200);
            Fingerprint before = f.fingerprint(f.current("acme"));
            Pause stalled = Pause.at(1);
            AtomicReference<String> runId = new AtomicReference<>();
            Rebalance workerA = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.COPYING) {
                    runId.compareAndSet(null, move.runId());
                    stalled.call();
                }
            });
            Rebalance.PlannedMove plan = workerA.planOne("acme", "p2");
            CompletableFuture<Rebalance.Result> a = RebalanceFixture.applyOnAThread(workerA, plan);
            stalled.awaitPaused("worker A reached its copy");

            // A's claim and leases run out (what 60 s without its heartbeat does)
            try (Connection c = DriverManager.getConnection(f.url); Statement s = c.createStatement()) {
                s.executeUpdate("update org_leases set lease_until = now() - interval '1 second'");
                s.executeUpdate("update run_items set lease_until = now() - interval '1 second' where status = 'running'");
            }
            // worker B joins the run: it recovers acme (A's move rolled back) and moves it
            Rebalance.Result b = new Rebalance(f.ctx).apply(new Rebalance.ApplyRequest(null, null,
                    new Rebalance.Limits(Duration.ofMinutes(5), Duration.ZERO, false), false,
                    new RunEngine.Drive(new RunEngine.Settings(1, 4, 0, false, 0), new RunControl(false, runId.get(), null),
                            new CancelToken(), Progress.NONE)));
            assertThat(b.report().count("moved")).as(b.report().toString()).isEqualTo(1);
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");

            stalled.wake();
            try {
                a.get(120, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException ignored) {
                // A failing is fine; what it records is the point
            }

            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
            assertThat(f.catalog.orgs().get("acme").status()).isEqualTo(Org.ACTIVE);
            assertThat(f.fingerprint(f.current("acme"))).isEqualTo(before);
            RunRepository.Item item = f.catalog.runs().items(runId.get()).get(0);
            assertThat(item.status()).as("the run's record of acme, which B moved: %s", item).isEqualTo("succeeded");
        }
    }
}
