package io.tenantctl.ops;

import io.tenantctl.catalog.MoveState;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a chaos soak: a 'rebalance apply' that moved 14 orgs from two source pools into one target failed the
 * last move of the second source ("pool pool-3 already receives 1 move(s) at a time (--per-pool) (waited 121 s; pass
 * --wait …)", next step 'pools stats' of a pool that answered). --per-pool 1 lets one move enter the target at a time,
 * and the moves of the first source kept taking the slot: the other source's move, waiting its own run's turn, counted
 * that as an org held by another operation and ran out of --busy-timeout. Its own run's throttle is a turn to wait
 * for: the plan is moved whole, however long it queues, with any --busy-timeout (here 0: no wait for others at all).
 */
class MovesWaitingForTheirOwnRunsTargetSlotTest {

    @Test
    void aMoveQueuedBehindItsOwnRunsMoveIntoTheSameTargetIsNotTimedOut() throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10, 10)) {
            f.org("acme", 1, 300);
            f.org("beta", 3, 300);
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.PLANNED && move.toPool().equals("p2")) {
                    String other = move.orgId().equals("acme") ? "beta" : "acme";
                    awaitTriedAndPutBackOrEnded(f.url, move.runId(), other); // the other move met the slot this one holds
                }
            });
            List<Rebalance.PlannedMove> plan = List.of(rebalance.planOne("acme", "p2"), rebalance.planOne("beta", "p2"));
            RunEngine.Drive drive = new RunEngine.Drive(new RunEngine.Settings(1, 16, 0, false, 0), RunControl.START, new CancelToken(),
                    Progress.NONE);
            Rebalance.Result r = rebalance.apply(new Rebalance.ApplyRequest(plan, null,
                    new Rebalance.Limits(Duration.ofMinutes(5), Duration.ZERO, false), false, drive));

            List<io.tenantctl.ops.run.RunReport.Org> failed = new java.util.ArrayList<>(); // read from the run's items
            r.lines().failed().accept(failed::add);
            assertThat(failed).as(r.report().toString()).isEmpty();
            assertThat(r.report().count("moved")).isEqualTo(2);
            for (String org : List.of("acme", "beta")) {
                assertThat(f.catalog.orgs().get(org).poolId()).isEqualTo("p2");
                assertThat(f.current(org).getCollection("notes").countDocuments()).as(org).isEqualTo(300);
            }
        }
    }

    /**
     * Until the other org's item is no longer claimed and was put back (pending, for later) or ended: what the other
     * move did on meeting the held slot. Bounded: a move that never met the slot (claimed later) lets this one go on.
     */
    private static void awaitTriedAndPutBackOrEnded(String url, String runId, String orgId) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement ps = c.prepareStatement("select status, not_before from run_items where run_id = ? and org_id = ?")) {
            ps.setString(1, runId);
            ps.setString(2, orgId);
            while (System.nanoTime() < until) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && (!rs.getString(1).equals("running") && !rs.getString(1).equals("pending")
                            || rs.getString(1).equals("pending") && rs.getTimestamp(2) != null)) {
                        return;
                    }
                }
                Thread.onSpinWait();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
