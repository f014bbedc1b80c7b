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

    /**
     * A pool as shown to people: URI with every secret redacted, org count and free room, and the names of secrets its
     * stored URI holds inline (rows written before tenantctl refused them) so they can be warned about.
     */
    public record View(String poolId, String uri, int capacity, String status, int priority, int orgs, int free, Instant createdAt,
                       List<String> inlineSecrets) {
        static View of(Pool p) {
            PoolUri uri = PoolUri.stored(p.uri());
            return new View(p.poolId(), uri.redacted(), p.capacity(), p.status().db(), p.priority(), p.orgCount(),
                    p.free(), p.createdAt(), uri.inlineSecrets());
        }
    }

    /**
     * What {@code pools add} did or, with dry run, would do; {@code variablesToSet} names the environment variables that
     * now hold the inline secrets {@code --allow-inline-password} moved out of the URI.
     */
    public record Added(View pool, boolean dryRun, List<String> variablesToSet) {
    }

    private final Catalog catalog;

    public Pools(Catalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Registers a pool, or with {@code dryRun} checks exactly what the real command checks (name, capacity, URI, the
     * name being free) and writes nothing. Inline secrets allowed by {@code allowInlinePassword} are never stored: each
     * is replaced by a placeholder of its own, named in the result.
     */
    public Added add(String poolId, String uri, int capacity, int priority, boolean allowInlinePassword, boolean dryRun) {
        if (!POOL_ID.matcher(poolId).matches()) {
            throw TenantctlException.usage("pool name '" + poolId + "' must match ^[a-z0-9][a-z0-9_-]{0,62}$");
        }
        if (capacity < 0) {
            throw TenantctlException.usage("capacity must be 0 or more (got " + capacity + ")");
        }
        PoolUri.Externalised stored = PoolUri.parse(uri, allowInlinePassword).externalise(poolId);
        if (dryRun) {
            if (catalog.pools().list().stream().anyMatch(p -> p.poolId().equals(poolId))) {
                throw TenantctlException.usage("pool '" + poolId + "' already exists: use 'tenantctl pools show " + poolId + "'");
            }
            View planned = new View(poolId, stored.uri().redacted(), capacity, Pool.ACTIVE.db(), priority, 0, capacity, null, List.of());
            return new Added(planned, true, stored.variables());
        }
        return new Added(View.of(catalog.pools().add(poolId, stored.uri().raw(), capacity, priority)), false, stored.variables());
    }

    /**
     * Replaces a pool's URI (a moved host, a rotated credential variable, or a row that held secrets inline), with the
     * checks of {@link #add}; with {@code dryRun} writes nothing. Orgs keep pointing at the pool.
     */
    public Added setUri(String poolId, String uri, boolean allowInlinePassword, boolean dryRun) {
        Pool current = catalog.pools().get(poolId);
        PoolUri.Externalised stored = PoolUri.parse(uri, allowInlinePassword).externalise(poolId);
        if (dryRun) {
            View planned = new View(poolId, stored.uri().redacted(), current.capacity(), current.status().db(), current.priority(),
                    current.orgCount(), current.free(), current.createdAt(), List.of());
            return new Added(planned, true, stored.variables());
        }
        return new Added(View.of(catalog.pools().setUri(poolId, stored.uri().raw())), false, stored.variables());
    }

    public List<View> list() {
        return catalog.pools().list().stream().map(View::of).toList();
    }

    public View show(String poolId) {
        return View.of(catalog.pools().get(poolId));
    }

    /** No new orgs are placed on a draining pool; its orgs stay where they are. */
    public View drain(String poolId) {
        return View.of(catalog.pools().setStatus(poolId, Pool.DRAINING));
    }

    public View enable(String poolId) {
        return View.of(catalog.pools().setStatus(poolId, Pool.ACTIVE));
    }

    public static String drainStatus() {
        return Pool.DRAINING.db();
    }

    public static String enableStatus() {
        return Pool.ACTIVE.db();
    }
}
