package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Pool;
import io.tenantctl.pool.PoolUri;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/** The {@code pools} noun: register pools and change their status. URIs leave here redacted. */
public final class Pools {

    private static final Pattern POOL_ID = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");

    /** A pool as shown to people: URI without password, org count and free room. */
    public record View(String poolId, String uri, int capacity, String status, int priority, int orgs, int free, Instant createdAt) {
        static View of(Pool p) {
            return new View(p.poolId(), PoolUri.stored(p.uri()).redacted(), p.capacity(), p.status(), p.priority(), p.orgCount(),
                    p.free(), p.createdAt());
        }
    }

    private final Catalog catalog;

    public Pools(Catalog catalog) {
        this.catalog = catalog;
    }

    public View add(String poolId, String uri, int capacity, int priority, boolean allowInlinePassword) {
        if (!POOL_ID.matcher(poolId).matches()) {
            throw TenantctlException.usage("pool name '" + poolId + "' must match ^[a-z0-9][a-z0-9_-]{0,62}$");
        }
        if (capacity < 0) {
            throw TenantctlException.usage("capacity must be 0 or more (got " + capacity + ")");
        }
        PoolUri parsed = PoolUri.parse(uri, allowInlinePassword);
        return View.of(catalog.pools().add(poolId, parsed.raw(), capacity, priority));
    }

    public List<View> list() {
        return catalog.pools().list().stream().map(View::of).toList();
    }

    public View show(String poolId) {
        return View.of(catalog.pools().get(poolId));
    }

    /** No new orgs are placed on a draining pool; its orgs stay where they are. */
    public View drain(String poolId) {
        return View.of(catalog.pools().setStatus(poolId, drainStatus()));
    }

    public View enable(String poolId) {
        return View.of(catalog.pools().setStatus(poolId, enableStatus()));
    }

    public static String drainStatus() {
        return Pool.DRAINING;
    }

    public static String enableStatus() {
        return Pool.ACTIVE;
    }
}
