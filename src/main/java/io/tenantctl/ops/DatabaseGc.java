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
        this.databases = ctx.catalog().restores();
    }

    /**
     * Drops {@code database} on {@code poolId} under {@code orgId}'s lease unless an org points at it; {@code forget}
     * runs once it is gone (or found in use again: not garbage). With {@code dryRun}, only says what it would do.
     */
    Outcome drop(String poolId, String database, String orgId, boolean dryRun, Runnable forget) {
        Optional<String> user;
        List<String> unprobed = dryRun ? new java.util.ArrayList<>() : null; // a dry run writes no probe: it says the real run will
        try {
            user = owner(poolId, database, unprobed);
        } catch (Undecided e) {
            return new Outcome("skipped", e.getMessage()); // still recorded: the next gc asks again
        }
        if (user.isPresent()) {
            if (!dryRun) {
                forget.run(); // in use again: not garbage, and never dropped
            }
            return new Outcome("kept", pointedAt(user.get()));
        }
        if (dryRun) {
            // held by another operation: the real run, refused the org's lease, skips it; the dry run looks (taking nothing) and says so
            Optional<String> holder = leases.liveHolder(orgId);
            if (holder.isPresent()) {
                return new Outcome("skipped", holder.get());
            }
            return new Outcome("would_drop", unprobed.isEmpty() ? null : "unless a probe finds it is the database of that name on pool "
                    + unprobed.get(0) + " (the same server under another spelling): the real run checks");
        }
        OrgLeases.Taken taken = leases.take(orgId, "gc", null);
        if (!taken.ok()) {
            return new Outcome("skipped", taken.refusal());
        }
        try {
            Optional<String> now = owner(poolId, database, null);
            if (now.isPresent()) {
                forget.run();
                return new Outcome("kept", pointedAt(now.get()));
            }
            Optional<Pool> pool = ctx.catalog().pools().find(poolId);
            if (pool.isPresent()) {
                MongoDatabase db = ctx.pools().database(poolId, pool.get().uri(), database);
                ctx.retry().run(new io.tenantctl.pool.Retry.Attempts(), db::drop);
            }
            forget.run();
            return new Outcome("dropped", pool.isPresent() ? null : "pool " + poolId + " is gone: forgotten");
        } catch (Undecided e) {
            return new Outcome("skipped", e.getMessage());
        } catch (RuntimeException e) {
            return new Outcome("failed", Errors.oneLine(e));
        } finally {
            leases.release(orgId);
        }
    }

    private static final String POINTED_AT = " points at it";

    /** Why a database is kept that an org's pointer names: not garbage (its record is forgotten), nothing for anyone to do. */
    private static String pointedAt(String org) {
        return "org " + org + POINTED_AT;
    }

    /** Whether a kept database's {@code detail} says an org's pointer names it (in use: nothing to do), not why a person must look. */
    static boolean inUse(String detail) {
        return detail != null && detail.startsWith("org ") && detail.endsWith(POINTED_AT);
    }

    /** Whether a database is another pool's org's, when a probe could not tell: kept and still recorded, said so. */
    private static final class Undecided extends RuntimeException {
        Undecided(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The org whose pointer names {@code database} on {@code poolId} — or names it on another pool registered on the same
     * server (a pool whose URI was set to another's server, or one FerretDB registered twice), where it is the very
     * same database. With {@code unprobed} (a dry run), the pools a probe would be written for are added to it instead.
     */
    private Optional<String> owner(String poolId, String database, List<String> unprobed) {
        Optional<String> user = databases.pointedAtBy(poolId, database);
        if (user.isPresent()) {
            return user;
        }
        List<Pool> pools = ctx.catalog().pools().list();
        Optional<Pool> here = pools.stream().filter(p -> p.poolId().equals(poolId)).findFirst();
        java.util.Set<String> servers = here.map(p -> PoolUri.stored(p.uri()).servers()).orElse(java.util.Set.of());
        for (Pool other : pools) {
            if (other.poolId().equals(poolId)) {
                continue;
            }
            Optional<String> there = databases.pointedAtBy(other.poolId(), database);
            if (there.isEmpty()) {
                continue; // no org lives in a database of this name there: nothing to mistake it for
            }
            if (!java.util.Collections.disjoint(servers, PoolUri.stored(other.uri()).servers())) {
                return Optional.of(there.get() + " (through pool " + other.poolId() + ", registered on the same server)");
            }
            // spelled otherwise (localhost / 127.0.0.1, a DNS name / its address, an SRV name): ask the servers themselves
            if (unprobed != null) {
                unprobed.add(other.poolId());
            } else if (here.isPresent() && sameDatabase(here.get(), other, database, there.get())) {
                return Optional.of(there.get() + " (through pool " + other.poolId() + ": a probe written in " + database + " on " + poolId
                        + " was read back through " + other.poolId() + ", so both pools are one server; fix their URIs)");
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code database} on {@code a} is the very database of that name on {@code b}: a probe document written
     * through {@code a}, looked up through {@code b}, then removed. Only asked when an org lives in a database of that name
     * on {@code b} (the source a move retained, most often). A probe that cannot be made decides nothing ({@link Undecided}):
     * the database is kept, and still recorded for the next gc — it once counted as the same, and its record was dropped.
     */
    private boolean sameDatabase(Pool a, Pool b, String database, String org) {
        try {
            return probed(ctx, a, b, database);
        } catch (RuntimeException e) {
            throw new Undecided("kept: could not tell whether it is org " + org + "'s database through pool " + b.poolId()
                    + " (the same server under another spelling?): " + Errors.oneLine(e) + "; run gc again when both pools answer");
        }
    }

    /**
     * Whether {@code database} on pool row {@code a} is the very database of that name on pool row {@code b}: their URIs
     * name a server in common, or (spelled otherwise) a probe document written through {@code a} is read back through
     * {@code b}, then removed. Throws when a probe cannot be made: that decides nothing.
     */
    static boolean sameDatabase(OpsContext ctx, Pool a, Pool b, String database) {
        return !PoolUri.stored(a.uri()).serversSharedWith(PoolUri.stored(b.uri())).isEmpty() || probed(ctx, a, b, database);
    }

    private static boolean probed(OpsContext ctx, Pool a, Pool b, String database) {
        String token = "gc-probe-" + java.util.UUID.randomUUID();
        MongoDatabase onA = ctx.pools().database(a.poolId(), a.uri(), database);
        com.mongodb.client.MongoCollection<org.bson.Document> probe = onA.getCollection(PROBE);
        try {
            probe.insertOne(new org.bson.Document("_id", token));
            return ctx.pools().database(b.poolId(), b.uri(), database).getCollection(PROBE)
                    .countDocuments(new org.bson.Document("_id", token)) > 0;
        } finally {
            try {
                probe.drop();
            } catch (RuntimeException ignored) {
                // the database is dropped next, or kept and its probe collection with it (named for what it is)
            }
        }
    }

    /** The collection a same-server probe lives in for a moment. */
    static final String PROBE = "tenantctl_gc_probe";
}
