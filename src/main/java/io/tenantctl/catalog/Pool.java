package io.tenantctl.catalog;

import java.time.Instant;

/**
 * A pool row plus its live org count. {@code uri} is as stored: no password unless the operator
 * allowed an inline one, and {@code ${ENV}} placeholders unresolved.
 */
public record Pool(String poolId, String uri, int capacity, PoolStatus status, int priority, Instant createdAt, int orgCount) {

    public static final PoolStatus ACTIVE = PoolStatus.ACTIVE;
    public static final PoolStatus DRAINING = PoolStatus.DRAINING;
    public static final PoolStatus DISABLED = PoolStatus.DISABLED;

    public int free() {
        return Math.max(0, capacity - orgCount);
    }
}
