package io.tenantctl.ops;

import io.tenantctl.catalog.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Plans made from a real catalog and real pools, applied, and the pools counted and the orgs' data compared afterwards. */
@Timeout(120)
class RebalancePlanTest {

    private static Rebalance.PlanRequest byOrgs(double threshold) {
        return new Rebalance.PlanRequest("orgs", threshold, 100, List.of(), List.of());
    }

    @Test
    void drainingEmptiesThePool_withoutPassingAnyCapacity_andEveryOrgKeepsItsData() {
        try (RebalanceFixture f = new RebalanceFixture(10, 5, 4)) {
            for (int i = 0; i < 6; i++) {
                f.org("d" + i, 1, 50 + i);
            }
            f.org("b0", 2, 10);
            f.org("c0", 3, 10);
            Map<String, Fingerprint> before = new LinkedHashMap<>();
            for (int i = 0; i < 6; i++) {
                before.put("d" + i, f.fingerprint(f.current("d" + i)));
            }
            new Pools(f.catalog).drain("p1");
            Rebalance rebalance = new Rebalance(f.ctx);

            Rebalance.Plan plan = rebalance.plan(byOrgs(0.05));
            assertThat(plan.moves()).extracting(Rebalance.PlannedMove::orgId).containsExactlyInAnyOrder("d0", "d1", "d2", "d3", "d4", "d5");
            assertThat(plan.moves()).allSatisfy(m -> assertThat(m.reason()).isEqualTo("drain"));
            assertThat(plan.pools()).filteredOn(l -> l.poolId().equals("p1")).singleElement()
                    .satisfies(l -> assertThat(l.orgsAfter()).isZero());
            assertThat(plan.pools()).allSatisfy(l -> assertThat(l.orgsAfter()).as(l.poolId()).isLessThanOrEqualTo(l.capacity()));
            assertThat(rebalance.plan(byOrgs(0.05))).as("the same catalog gives the same plan").isEqualTo(plan);

            Rebalance.Result r = rebalance.apply(RebalanceFixture.request(plan.moves(), Duration.ofSeconds(30), false));

            assertThat(r.report().count("moved")).as(r.report().toString()).isEqualTo(6);
            assertThat(f.catalog.orgs().list("p1", null)).as("the draining pool is empty").isEmpty();
            for (Pool p : f.catalog.pools().list()) {
                assertThat(p.orgCount()).as(p.poolId()).isLessThanOrEqualTo(p.capacity());
            }
            before.forEach((org, fp) -> assertThat(f.fingerprint(f.current(org))).as(org).isEqualTo(fp));
        }
    }

    @Test
    void aDrainWithTooLittleRoomPlansWhatFits_andSaysWhatDoesNot() {
        try (RebalanceFixture f = new RebalanceFixture(10, 2)) {
            for (int i = 0; i < 4; i++) {
                f.org("d" + i, 1, 5);
            }
            new Pools(f.catalog).drain("p1");

            Rebalance.Plan plan = new Rebalance(f.ctx).plan(byOrgs(0.05));

            assertThat(plan.moves()).hasSize(2);
            assertThat(plan.notes()).filteredOn(n -> n.startsWith("no active pool has room")).hasSize(2);
            assertThat(plan.pools()).filteredOn(l -> l.poolId().equals("p2")).singleElement()
                    .satisfies(l -> assertThat(l.orgsAfter()).isEqualTo(2));
        }
    }

    @Test
    void balancingByOrgsStopsWithinTheThreshold() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            for (int i = 0; i < 8; i++) {
                f.org("o" + i, 1, 3);
            }
            Rebalance rebalance = new Rebalance(f.ctx);

            assertThat(rebalance.plan(byOrgs(0.05)).moves()).as("0.8 / 0.0 → 0.4 / 0.4").hasSize(4);
            assertThat(rebalance.plan(byOrgs(0.5)).moves()).as("stops once the gap is at most 0.5").hasSize(2);
            assertThat(rebalance.plan(new Rebalance.PlanRequest("orgs", 0.05, 3, List.of(), List.of())).moves()).hasSize(3);
            assertThat(rebalance.plan(new Rebalance.PlanRequest("orgs", 0.05, 100, List.of(), List.of("o0", "o1", "o2", "o3", "o4", "o5"))).moves())
                    .as("--exclude leaves two movable orgs").extracting(Rebalance.PlannedMove::orgId).containsExactlyInAnyOrder("o6", "o7");
        }
    }

    @Test
    void balancingBySizeMovesSmallOrgsAwayFromABigOne_notTheBigOneItself() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("big", 1, 5_000);
            for (int i = 0; i < 3; i++) {
                f.org("s" + i, 1, 5);
                f.org("t" + i, 2, 5);
            }
            f.org("t3", 2, 5);
            Rebalance rebalance = new Rebalance(f.ctx);

            assertThat(rebalance.plan(byOrgs(0.05)).moves()).as("4 and 4 orgs: balanced by count").isEmpty();
            Rebalance.Plan bySize = rebalance.plan(new Rebalance.PlanRequest("size", 0.05, 100, List.of(), List.of()));
            assertThat(bySize.moves()).extracting(Rebalance.PlannedMove::orgId).containsExactlyInAnyOrder("s0", "s1", "s2");
            assertThat(bySize.moves()).allSatisfy(m -> {
                assertThat(m.bytes()).isPositive();
                assertThat(m.predictedFreezeMs()).isPositive();
            });
        }
    }
}
