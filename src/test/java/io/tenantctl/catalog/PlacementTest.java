package io.tenantctl.catalog;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class PlacementTest {

    private static Pool pool(String id, int priority, int capacity, int orgs, PoolStatus status) {
        return new Pool(id, "mongodb://" + id + ":27017", capacity, status, priority, Instant.EPOCH, orgs);
    }

    private static Pool active(String id, int priority, int capacity, int orgs) {
        return pool(id, priority, capacity, orgs, Pool.ACTIVE);
    }

    private static Optional<String> choose(Pool... pools) {
        return Placement.choose(List.of(pools)).map(Pool::poolId);
    }

    @Test
    void lowestPriorityNumberWinsWhateverTheOrderAndFill() {
        assertThat(choose(active("p-b", 2, 500, 0), active("p-a", 1, 500, 499), active("p-c", 3, 500, 0))).contains("p-a");
        assertThat(choose(active("p-c", 3, 500, 0), active("p-b", 2, 500, 10))).contains("p-b");
    }

    @Test
    void tiesAreBrokenByPoolId() {
        assertThat(choose(active("pool-2", 5, 10, 0), active("pool-10", 5, 10, 9), active("pool-1", 5, 10, 3))).contains("pool-1");
        assertThat(choose(active("b", 1, 10, 0), active("a", 1, 10, 0))).contains("a");
    }

    @Test
    void fullPoolsSpillToTheNextPriority() {
        assertThat(choose(active("p1", 1, 20, 20), active("p2", 2, 20, 19), active("p3", 3, 20, 0))).contains("p2");
        assertThat(choose(active("p1", 1, 20, 25), active("p2", 2, 20, 20), active("p3", 3, 20, 0))).contains("p3");
    }

    @Test
    void zeroCapacityPoolTakesNothing() {
        assertThat(choose(active("p0", 1, 0, 0), active("p1", 2, 1, 0))).contains("p1");
    }

    @Test
    void drainingAndDisabledPoolsAreSkipped() {
        assertThat(choose(pool("p1", 1, 500, 0, Pool.DRAINING), pool("p2", 2, 500, 0, Pool.DISABLED), active("p3", 3, 500, 0)))
                .contains("p3");
    }

    @Test
    void emptyWhenNothingHasRoom() {
        assertThat(choose(active("p1", 1, 2, 2), pool("p2", 2, 500, 0, Pool.DRAINING), pool("p3", 3, 500, 0, Pool.DISABLED)))
                .isEmpty();
        assertThat(choose()).isEmpty();
    }
}
