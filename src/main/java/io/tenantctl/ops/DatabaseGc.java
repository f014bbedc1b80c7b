package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RestoreRepository;
import io.tenantctl.ops.run.OrgLeases;
import io.tenantctl.pool.PoolUri;

import java.util.List;
import java.util.Optional;

/**
 * The one routine that drops a database tenantctl no longer needs, shared by {@code rebalance gc} (retained sources,
 * replaced databases, aborted targets) and {@code orgs purge} (deleted orgs' databases). Never drops a database an
 * org's pointer names: checked before, and again under the org's lease just before the drop.
 */
final class DatabaseGc {

    /** What happened to one database: dropped, would_drop, kept (someone points at it), skipped (org busy), failed. */
    record Outcome(String action, String detail) {
    }

    private final OpsContext ctx;
    private final OrgLeases leases;
    private final RestoreRepository databases;

    DatabaseGc(OpsContext ctx, OrgLeases leases) {
        this.ctx = ctx;
        this.leases = leases;
        this.databases = new RestoreRepository(ctx.catalog());
    }

    /**
     * Drops {@code database} on {@code poolId} under {@code orgId}'s lease unless an org points at it; {@code forget}
     * runs once it is gone (or found in use again: not garbage). With {@code dryRun}, only says what it would do.
     */
    Outcome drop(String poolId, String database, String orgId, boolean dryRun, Runnable forget) {
        Optional<String> user = owner(poolId, database);
        if (user.isPresent()) {
            if (!dryRun) {
                forget.run(); // in use again: not garbage, and never dropped
            }
            return new Outcome("kept", "org " + user.get() + " points at it");
        }
        if (dryRun) {
            return new Outcome("would_drop", null);
        }
        OrgLeases.Taken taken = leases.take(orgId, "gc", null);
        if (!taken.ok()) {
            return new Outcome("skipped", taken.refusal());
        }
        try {
            Optional<String> now = owner(poolId, database);
            if (now.isPresent()) {
                forget.run();
                return new Outcome("kept", "org " + now.get() + " points at it");
            }
            Optional<Pool> pool = ctx.catalog().pools().find(poolId);
            if (pool.isPresent()) {
                MongoDatabase db = ctx.pools().database(poolId, pool.get().uri(), database);
                ctx.retry().run(new io.tenantctl.pool.Retry.Attempts(), db::drop);
            }
            forget.run();
            return new Outcome("dropped", pool.isPresent() ? null : "pool " + poolId + " is gone: forgotten");
        } catch (RuntimeException e) {
            return new Outcome("failed", Errors.oneLine(e));
        } finally {
            leases.release(orgId);
        }
    }

    /**
     * The org whose pointer names {@code database} on {@code poolId} — or names it on another pool registered on the same
     * server (a pool whose URI was set to another's server, or one FerretDB registered twice), where it is the very
     * same database.
     */
    private Optional<String> owner(String poolId, String database) {
        Optional<String> user = databases.pointedAtBy(poolId, database);
        if (user.isPresent()) {
            return user;
        }
        List<Pool> pools = ctx.catalog().pools().list();
        java.util.Set<String> servers = pools.stream().filter(p -> p.poolId().equals(poolId)).findFirst()
                .map(p -> PoolUri.stored(p.uri()).servers()).orElse(java.util.Set.of());
        for (Pool other : pools) {
            if (!other.poolId().equals(poolId) && !java.util.Collections.disjoint(servers, PoolUri.stored(other.uri()).servers())) {
                Optional<String> there = databases.pointedAtBy(other.poolId(), database);
                if (there.isPresent()) {
                    return Optional.of(there.get() + " (through pool " + other.poolId() + ", registered on the same server)");
                }
            }
        }
        return Optional.empty();
    }
}
