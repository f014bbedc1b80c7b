package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Pool;
import io.tenantctl.pool.PoolUri;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

        /** A stored URI that is not a mongodb:// one (http://…, mongodb:/… written by hand): no pool can be reached with it. */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean notAMongodbUri() {
            return !io.tenantctl.pool.PoolUri.mongodbScheme(uri);
        }
    }

    /**
     * What {@code pools add} did or, with dry run, would do; {@code variablesToSet} names the environment variables that
     * now hold the inline secrets {@code --allow-inline-password} moved out of the URI.
     */
    /**
     * {@code percentDecoded}: those of {@code variablesToSet} whose secret was written percent-encoded in the URI given,
     * and which must hold it decoded (tenantctl encodes a variable's value when it connects).
     * {@code sharesServerWith}: the other pools whose URIs name a host:port this one names, each with those servers (one
     * server registered as two pools: each counts its capacity apart). {@code ignoredOptions}: the URI's options the
     * driver does not read (tlsCAFile…), with which the pool is connected to as if they were not given.
     * {@code changed}: false when set-uri or set-capacity was given what the pool already has (nothing written, nor
     * would a real run write anything), as suspend of a suspended org says; true otherwise.
     */
    public record Added(View pool, boolean dryRun, List<String> variablesToSet, Map<String, Set<String>> sharesServerWith,
                        List<String> ignoredOptions, List<String> percentDecoded, boolean changed) {
        public Added(View pool, boolean dryRun, List<String> variablesToSet, Map<String, Set<String>> sharesServerWith,
                     List<String> ignoredOptions, List<String> percentDecoded) {
            this(pool, dryRun, variablesToSet, sharesServerWith, ignoredOptions, percentDecoded, true);
        }
    }

    private final Catalog catalog;
    private final OpsContext ctx;

    public Pools(Catalog catalog) {
        this.catalog = catalog;
        this.ctx = null;
    }

    /** For the verbs that reach the pools themselves ({@code set-uri} looks for its orgs' databases on the new server). */
    public Pools(OpsContext ctx) {
        this.catalog = ctx.catalog();
        this.ctx = ctx;
    }

    /**
     * Registers a pool, or with {@code dryRun} checks exactly what the real command checks (name, capacity, URI, the
     * name being free) and writes nothing. Inline secrets allowed by {@code allowInlinePassword} are never stored: each
     * is replaced by a placeholder of its own, named in the result.
     */
    public Added add(String poolId, String uri, int capacity, int priority, boolean allowInlinePassword, boolean dryRun) {
        return add(poolId, uri, capacity, priority, allowInlinePassword, false, dryRun);
    }

    /**
     * As {@link #add(String, String, int, int, boolean, boolean)}; for the verbs that reach the pools ({@link #Pools(OpsContext)}),
     * unless {@code allowUnreachable}, the pool is pinged first, its dry run's too, and one that does not answer (or refuses
     * tenantctl's credentials, or whose ${VAR} is not set here) is refused, nothing added: a mistyped host would otherwise
     * be found only when a provision passes over it, or fails an org pinned to it.
     */
    public Added add(String poolId, String uri, int capacity, int priority, boolean allowInlinePassword, boolean allowUnreachable,
                     boolean dryRun) {
        if (!POOL_ID.matcher(poolId).matches()) {
            throw TenantctlException.usage("pool name '" + poolId + "' must match ^[a-z0-9][a-z0-9_-]{0,62}$");
        }
        if (capacity < 0) {
            throw TenantctlException.usage("capacity must be 0 or more (got " + capacity + ")");
        }
        PoolUri given = PoolUri.parse(uri, allowInlinePassword);
        PoolUri.Externalised stored = given.externalise(poolId, variablesOfOtherPools(poolId));
        if (dryRun || ctx != null && !allowUnreachable) { // a taken name is said before the ping, not after its timeout
            if (catalog.pools().list().stream().anyMatch(p -> p.poolId().equals(poolId))) {
                throw io.tenantctl.catalog.PoolRepository.taken(poolId);
            }
        }
        if (ctx != null && !allowUnreachable) {
            requireAnswers(new Pool(poolId, given.raw(), capacity, Pool.ACTIVE, priority, null, 0), // as given: an inline secret's
                    "pool " + poolId + " was not added", "add it");                                  // variable is not set yet
        }
        if (dryRun) {
            View planned = new View(poolId, stored.uri().redacted(), capacity, Pool.ACTIVE.db(), priority, 0, capacity, null, List.of());
            return new Added(planned, true, stored.variables(), sharingAServer(poolId, stored.uri()), stored.uri().ignoredOptions(), stored.percentEncoded());
        }
        return new Added(View.of(catalog.pools().add(poolId, stored.uri().raw(), capacity, priority)), false, stored.variables(),
                sharingAServer(poolId, stored.uri()), stored.uri().ignoredOptions(), stored.percentEncoded());
    }

    /**
     * Replaces a pool's URI (a moved host, a rotated credential variable, or a row that held secrets inline), with the
     * checks of {@link #add}; with {@code dryRun} writes nothing. Orgs keep pointing at the pool.
     */
    public Added setUri(String poolId, String uri, boolean allowInlinePassword, boolean dryRun) {
        return setUri(poolId, uri, allowInlinePassword, false, false, dryRun);
    }

    /**
     * As {@link #setUri(String, String, boolean, boolean)}; unless {@code allowUnreachable}, the new URI is pinged first, as
     * {@link #add} pings (its dry run's too): a mistyped host on a pool with no orgs would otherwise be found only when a
     * provision places orgs there. Unless {@code force}, refused (nothing changed) when the new
     * server lacks the database of an org living on the pool: a mistyped host or an empty server would route every such
     * org to nothing, and its next write would start a second copy of the tenant there.
     */
    public Added setUri(String poolId, String uri, boolean allowInlinePassword, boolean allowUnreachable, boolean force, boolean dryRun) {
        Pool current = catalog.pools().get(poolId);
        PoolUri given = PoolUri.parse(uri, allowInlinePassword);
        PoolUri.Externalised stored = given.externalise(poolId, variablesOfOtherPools(poolId));
        if (stored.uri().raw().equals(current.uri())) { // the URI it has: nothing to check, nothing written
            return new Added(View.of(current), dryRun, stored.variables(), sharingAServer(poolId, stored.uri()), stored.uri().ignoredOptions(),
                    stored.percentEncoded(), false);
        }
        if (ctx != null && !allowUnreachable) {
            requireAnswers(new Pool(poolId, given.raw(), current.capacity(), current.status(), current.priority(), current.createdAt(),
                    current.orgCount()), "the URI of pool " + poolId + " is unchanged", "set it");
        }
        if (!force && ctx != null) {
            requireOrgsThere(poolId, given);
        }
        if (dryRun) {
            View planned = new View(poolId, stored.uri().redacted(), current.capacity(), current.status().db(), current.priority(),
                    current.orgCount(), current.free(), current.createdAt(), List.of());
            return new Added(planned, true, stored.variables(), sharingAServer(poolId, stored.uri()), stored.uri().ignoredOptions(), stored.percentEncoded());
        }
        return new Added(View.of(catalog.pools().setUri(poolId, stored.uri().raw())), false, stored.variables(),
                sharingAServer(poolId, stored.uri()), stored.uri().ignoredOptions(), stored.percentEncoded());
    }

    /**
     * The ping of {@code pools add} and {@code pools set-uri} at the URI they are about to store ({@code planned}'s): a CONFIG
     * error (exit 3) naming the pool, what the ping met, {@code notDone} ("pool P was not added") and what to do ({@code redo}
     * "add it" with --allow-unreachable), unless it answers.
     */
    private void requireAnswers(Pool planned, String notDone, String redo) {
        PoolHealth.failure(ctx, planned).ifPresent(e -> {
            boolean silent = io.tenantctl.pool.PoolSilentException.in(e).isPresent();
            String said = Errors.oneLine(e);
            throw new TenantctlException(e instanceof TenantctlException te && !silent ? te.category() : TenantctlException.Category.CONFIG,
                    said + "; " + notDone + (silent ? ": check the URI's host and port, or, for a pool that is not up yet, " + redo
                    + " with --allow-unreachable (provision passes over it until it answers)"
                    : " (to " + redo + " unchecked, pass --allow-unreachable)"), e);
        });
    }

    /** The other pools whose URIs name a server (host:port) {@code uri} names too, each with the servers in common. */
    private Map<String, Set<String>> sharingAServer(String poolId, PoolUri uri) {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        for (Pool other : catalog.pools().list()) {
            Set<String> shared = uri.serversSharedWith(PoolUri.stored(other.uri()));
            if (!other.poolId().equals(poolId) && !shared.isEmpty()) {
                out.put(other.poolId(), shared);
            }
        }
        return out;
    }

    /** The environment variables the other pools' stored URIs read. */
    private java.util.Set<String> variablesOfOtherPools(String poolId) {
        java.util.Set<String> out = new java.util.HashSet<>();
        catalog.pools().list().stream().filter(p -> !p.poolId().equals(poolId)).forEach(p -> out.addAll(PoolUri.stored(p.uri()).variables()));
        return out;
    }

    private void requireOrgsThere(String poolId, PoolUri given) {
        // deleting orgs too: nobody is routed to them, and their final backup holds them (verify: gone is "nothing to do")
        java.util.Set<io.tenantctl.catalog.OrgStatus> gone = java.util.Set.of(io.tenantctl.catalog.Org.PROVISIONING,
                io.tenantctl.catalog.Org.FAILED, io.tenantctl.catalog.Org.DELETED, io.tenantctl.catalog.Org.DELETING);
        List<io.tenantctl.catalog.Org> living = catalog.orgs().list(poolId, null).stream().filter(o -> !gone.contains(o.status())).toList();
        if (living.isEmpty()) {
            return;
        }
        java.util.Set<String> there = new java.util.HashSet<>();
        com.mongodb.client.MongoDatabase admin;
        try { // a ${VAR} this environment does not set (or a URI its values break) is mended here, not by --force
            admin = ctx.pools().database(poolId, given.raw(), "admin");
        } catch (TenantctlException unusable) {
            throw new TenantctlException(unusable.category(), "pool " + poolId + ": the new URI cannot be checked for the pool's "
                    + io.tenantctl.Counted.of(living.size(), "org") + ", so it is unchanged: " + unusable.getMessage(), unusable);
        }
        try {
            admin.runCommand(new org.bson.Document("listDatabases", 1).append("nameOnly", true))
                    .getList("databases", org.bson.Document.class).forEach(d -> there.add(d.getString("name")));
        } catch (RuntimeException e) {
            if (io.tenantctl.pool.FerretErrors.authenticationFailed(e)) { // it answered, and said no: --force would route the orgs to that
                List<String> vars = given.variables().stream().map(v -> "${" + v + "}").toList();
                throw new TenantctlException(TenantctlException.Category.CONFIG, "pool " + poolId + ": the new server (" + given.redacted()
                        + ") refused tenantctl's credentials (" + io.tenantctl.pool.FerretErrors.describe(e) + "), so the URI is unchanged: "
                        + "check " + (vars.isEmpty() ? "the URI's user and password" : String.join(", ", vars)) + " against that server's "
                        + "user, then run this again");
            }
            throw new TenantctlException(TenantctlException.Category.CONFIG, "pool " + poolId + ": the new server (" + given.redacted()
                    + ") could not be listed (" + Errors.oneLine(e) + "), so it is not known to hold the pool's "
                    + io.tenantctl.Counted.of(living.size(), "org") + ": the URI is unchanged; pass --force to set it anyway");
        }
        // a database of the name on another pool's server that is that pool's retained copy (a move's source kept until
        // gc, a restore's replaced database) holds the org's data as it was, not the org: routed there, it would read
        // stale data and write into a database gc drops
        Map<String, String> retainedThere = new java.util.HashMap<>();
        java.util.Set<String> sharing = sharingAServer(poolId, given).keySet();
        new io.tenantctl.catalog.RestoreRepository(catalog).retired(null).stream().filter(r -> sharing.contains(r.poolId()))
                .forEach(r -> retainedThere.putIfAbsent(r.databaseName(), r.poolId()));
        List<String> missing = living.stream().filter(o -> !there.contains(o.databaseName()) || retainedThere.containsKey(o.databaseName()))
                .map(o -> o.databaseName() + " (org " + o.orgId() + (there.contains(o.databaseName()) ? "; the one there is pool "
                        + retainedThere.get(o.databaseName()) + "'s retained copy, kept until gc" : "") + ")").toList();
        if (!missing.isEmpty()) {
            throw TenantctlException.usage("pool " + poolId + ": the new server (" + given.redacted() + ") has no database of " + missing.size()
                    + " of the pool's " + io.tenantctl.Counted.of(living.size(), "org") + ": " + io.tenantctl.Counted.firstOf(missing, 5, ", ")
                    + "; routed there, " + io.tenantctl.Counted.they(missing.size()) + " would read nothing and write a second copy. The URI is "
                    + "unchanged; check the host, or pass --force if " + io.tenantctl.Counted.their(missing.size()) + " data is to be restored there");
        }
    }

    /** A pool's capacity raised or lowered (never below the orgs it holds); with {@code dryRun}, checked and not written. */
    public Added setCapacity(String poolId, int capacity, boolean dryRun) {
        if (capacity < 0) {
            throw TenantctlException.usage("capacity must be 0 or more (got " + capacity + ")");
        }
        Pool current = catalog.pools().get(poolId);
        if (current.capacity() == capacity) { // the capacity it has (held orgs above it or not): nothing written
            return new Added(View.of(current), dryRun, List.of(), Map.of(), List.of(), List.of(), false);
        }
        return new Added(View.of(catalog.pools().setCapacity(poolId, capacity, dryRun)), dryRun, List.of(), Map.of(), List.of(), List.of());
    }

    public List<View> list() {
        return catalog.pools().list().stream().map(View::of).toList();
    }

    public View show(String poolId) {
        return View.of(catalog.pools().get(poolId));
    }

    /** No new orgs are placed on a draining pool; its orgs stay where they are. */
    public StatusChange drain(String poolId) {
        return setStatus(poolId, Pool.DRAINING);
    }

    /** A pool's status as drain / enable left it; {@code changed} false when it already had it (nothing written). */
    public record StatusChange(View pool, boolean changed) {
    }

    private StatusChange setStatus(String poolId, io.tenantctl.catalog.PoolStatus status) {
        boolean changed = catalog.pools().setStatus(poolId, status);
        return new StatusChange(show(poolId), changed);
    }

    /**
     * The orgs placed on {@code poolId} and still being provisioned: placed before a drain, they are created there all
     * the same, and a rebalance plan takes them only once they are active.
     */
    public List<String> provisioning(String poolId) {
        return catalog.orgs().list(poolId, null).stream().filter(o -> o.status().equals(io.tenantctl.catalog.Org.PROVISIONING))
                .map(io.tenantctl.catalog.Org::orgId).toList();
    }

    /**
     * The active pools besides {@code poolId} with a free place: where placement puts a new org once {@code poolId} takes
     * none (drained, or filled to its capacity). Empty: every provision fails for want of room until a pool takes orgs again.
     */
    public List<String> withRoomBesides(String poolId) {
        return catalog.pools().list().stream().filter(p -> !p.poolId().equals(poolId) && p.status().equals(Pool.ACTIVE) && p.free() > 0)
                .map(Pool::poolId).toList();
    }

    public StatusChange enable(String poolId) {
        return setStatus(poolId, Pool.ACTIVE);
    }

    public static String drainStatus() {
        return Pool.DRAINING.db();
    }

    public static String enableStatus() {
        return Pool.ACTIVE.db();
    }
}
