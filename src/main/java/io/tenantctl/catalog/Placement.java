package io.tenantctl.catalog;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Fill-then-spill: the active pool with the lowest priority number that still has room wins; ties by
 * pool id. Pure, so it is unit-tested; {@link OrgRepository#place} applies it under a lock.
 */
public final class Placement {

    private Placement() {
    }

    public static Optional<Pool> choose(List<Pool> pools) {
        return pools.stream()
                .filter(p -> Pool.ACTIVE.equals(p.status()))
                .filter(p -> p.orgCount() < p.capacity())
                .min(Comparator.comparingInt(Pool::priority).thenComparing(Pool::poolId));
    }
}
