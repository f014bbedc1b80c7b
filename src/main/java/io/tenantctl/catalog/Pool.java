package io.tenantctl.catalog;

import java.time.Instant;

/**
 * A pool row plus its live org count. {@code uri} is as stored: no password unless the operator
 * allowed an inline one, and {@code ${ENV}} placeholders unresolved.
 */
public record Pool(String poolId, String uri, int capacity, String status, int priority, Instant createdAt, int orgCount) {

    public static final String ACTIVE = "active";
    public static final String DRAINING = "draining";
    public static final String DISABLED = "disabled";

    public int free() {
        return Math.max(0, capacity - orgCount);
    }
}
