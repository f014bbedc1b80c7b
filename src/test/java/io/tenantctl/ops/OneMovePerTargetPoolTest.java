package io.tenantctl.ops;

import io.tenantctl.catalog.MoveState;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: 'rebalance apply' promises "one move per source and per target pool at a time by default
 * (--per-pool)". The target's limit is a lease per slot ("pool:p2#1") taken through the worker's org leases — and a lease
 * taken again by the same holder is simply renewed. Every claim loop of one worker is the same holder, so two moves from
 * two source pools into one target both "take" slot #1 and copy into the target at once (and the first to finish deletes
 * the slot while the other still copies). The target pool gets twice (or --concurrency times) the load the operator allowed.
 */
class OneMovePerTargetPoolTest {

    @Test
    void twoMovesFromTwoPoolsIntoOneTargetRunOneAtATimeWithPerPoolOne() throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10, 10)) {
            f.org("acme", 1, 200);
            f.org("beta", 3, 200);
            AtomicInteger intoP2 = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            CountDownLatch both = new CountDownLatch(2);
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.PLANNED && move.toPool().equals("p2")) {
                    most.accumulateAndGet(intoP2.incrementAndGet(), Math::max);
                    both.countDown();
                    try {
                        // give a second move into p2 the chance to start alongside this one (it must not); bounded
                        both.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else if (state == MoveState.RETAINED && move.toPool().equals("p2")) {
                    intoP2.decrementAndGet();
                }
            });
            List<Rebalance.PlannedMove> plan = List.of(rebalance.planOne("acme", "p2"), rebalance.planOne("beta", "p2"));
            // --per-pool 1 (the default for apply), the default --concurrency, and time to wait for a busy target slot
            RunEngine.Drive drive = new RunEngine.Drive(new RunEngine.Settings(1, 16, 0, false, 120), RunControl.START, new CancelToken(),
                    Progress.NONE);
            Rebalance.Result r = rebalance.apply(new Rebalance.ApplyRequest(plan, null,
                    new Rebalance.Limits(Duration.ofMinutes(5), Duration.ZERO, false), false, drive));

            assertThat(r.report().count("moved")).as(r.report().toString()).isEqualTo(2);
            assertThat(most.get()).as("moves copying into p2 at once with --per-pool 1").isEqualTo(1);
        }
    }
}
