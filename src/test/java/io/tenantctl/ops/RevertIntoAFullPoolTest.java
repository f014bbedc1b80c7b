package io.tenantctl.ops;

import io.tenantctl.catalog.OrgRepository;
import io.tenantctl.catalog.Pool;
import io.tenantctl.fanout.CancelToken;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: 'rebalance revert' flips an org back to its retained source without asking whether the source pool
 * still has room for it. A move frees its org's place on the source at once; placement (provision, restore --to-org, other
 * moves) fills it meanwhile, under the placement lock that is meant to make a pool's capacity impossible to exceed. The
 * revert then puts the org back anyway: the pool holds more orgs than its capacity ('pools show' counts 2 orgs on a pool
 * of capacity 1). The same path puts an org back on a pool drained (or disabled) since the move, undoing the drain.
 */
class RevertIntoAFullPoolTest {

    @Test
    void aRevertIsRefusedWhenTheSourcePoolFilledUpSinceTheMove() {
        try (RebalanceFixture f = new RebalanceFixture(1, 10)) {
            f.org("acme", 1, 100);
            Rebalance rebalance = new Rebalance(f.ctx);
            Rebalance.Result moved = f.move(rebalance, "acme", "p2");
            assertThat(moved.report().count("moved")).as(moved.report().toString()).isEqualTo(1);

            // p1's place is taken by a new org meanwhile, placed the usual way (fill-then-spill: p1 first)
            OrgRepository.Placed beta = f.catalog.orgs().place(List.of("beta"), null, "free").get(0);
            assertThat(beta.ok()).as(String.valueOf(beta.error())).isTrue();
            assertThat(beta.poolId()).isEqualTo("p1");

            String moveId = f.onlyMove("acme").moveId();
            String outcome;
            try {
                outcome = rebalance.revert(moveId, false, false, new CancelToken());
            } catch (RuntimeException refused) {
                outcome = "refused: " + refused.getMessage();
            }
            Pool p1 = f.catalog.pools().get("p1");
            assertThat(p1.orgCount()).as("orgs on p1 (capacity %d) after the revert said: %s", p1.capacity(), outcome)
                    .isLessThanOrEqualTo(p1.capacity());
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
        }
    }
}
