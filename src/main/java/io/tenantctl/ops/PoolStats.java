package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.pool.AdminUrl;
import io.tenantctl.pool.PoolPressure;
import org.bson.Document;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code pools stats}: per pool, its fill, the collections and indexes over its orgs' databases (listCollections and
 * listIndexes, a few orgs at a time), ping latency, server version (buildInfo), p50/p95 provisioning and migration time
 * from run history and, when the pool has an admin PostgreSQL URL, its pressure signals with warnings past thresholds.
 * A pool that does not answer is a line with its error, never a failure of the whole command.
 */
public final class PoolStats {

    /** Orgs read at once per pool; pools are read at once up to this many too. */
    static final int PER_POOL = 4;
    static final int POOLS_AT_ONCE = 4;

    /** p50/p95 ms of one verb's succeeded items on a pool, over how many items. */
    public record Timing(long items, long p50Ms, long p95Ms) {
    }

    /**
     * One pool's line. Null fields are what could not be read (shown as n/a); {@code error} says why the pool could not be
     * reached, {@code adminError} why its PostgreSQL could not (each a whole message naming the pool); {@code warnings}
     * lists thresholds passed.
     */
    public record Stat(String poolId, String status, int orgs, int capacity, Long collections, Long indexes, Integer orgsUnreadable,
                       Long pingMs, String serverVersion, Timing provision, Timing migrate, String adminUrl, Long deadTuples,
                       Long buffersBackend, Long documentdbCollections, String error, String adminError, List<String> warnings) {
    }

    public record Result(List<Stat> pools, long deadTuplesWarn, long collectionsWarn) {
    }

    private final OpsContext ctx;
    private final Map<String, String> env;

    /** {@code env}: where admin URLs' ${VAR} placeholders are resolved from. */
    public PoolStats(OpsContext ctx, Map<String, String> env) {
        this.ctx = ctx;
        this.env = env;
    }

    /** A pool's admin URL as set-admin-url left it (null: none); {@code changed} false when it already had it (nothing written). */
    public record AdminUrlSet(String adminUrl, boolean changed) {
    }

    /** Sets (or with null clears) a pool's admin PostgreSQL URL: the rules of pool URIs, no password stored. */
    public AdminUrlSet setAdminUrl(String poolId, String url, boolean dryRun) {
        ctx.catalog().pools().get(poolId);
        String wanted = url == null ? null : AdminUrl.parse(url).raw();
        boolean changed = !java.util.Objects.equals(wanted, ctx.catalog().pools().adminUrls().get(poolId));
        if (changed && !dryRun) {
            ctx.catalog().pools().setAdminUrl(poolId, wanted);
        }
        return new AdminUrlSet(wanted, changed);
    }

    public Result stats(String poolId) {
        List<Pool> pools = poolId == null ? ctx.catalog().pools().list() : List.of(ctx.catalog().pools().get(poolId));
        Map<String, String> admin = ctx.catalog().pools().adminUrls();
        List<RunRepository.PoolTiming> timings = ctx.catalog().runs().timingsByPool(List.of("provision", "migrate-all"));
        return new Result(Parallel.map("pool-stats", POOLS_AT_ONCE, pools, p -> one(p, admin.get(p.poolId()), timings), "reading pool stats"),
                PoolPressure.DEAD_TUPLES_WARN, PoolPressure.COLLECTIONS_WARN);
    }

    private Stat one(Pool p, String adminUrl, List<RunRepository.PoolTiming> timings) {
        Timing provision = timing(timings, p.poolId(), "provision");
        Timing migrate = timing(timings, p.poolId(), "migrate-all");
        List<String> warnings = new ArrayList<>();
        Long dead = null;
        Long backend = null;
        Long ddbCollections = null;
        String adminError = null;
        String adminShown = null;
        if (adminUrl != null) {
            AdminUrl url = AdminUrl.stored(adminUrl);
            adminShown = url.describe();
            try {
                PoolPressure.Signals s = PoolPressure.read(p.poolId(), url, env);
                dead = s.deadTuples();
                backend = s.buffersBackend();
                ddbCollections = s.documentdbCollections();
                if (dead != null && dead > PoolPressure.DEAD_TUPLES_WARN) {
                    warnings.add("n_dead_tup " + dead + " > " + PoolPressure.DEAD_TUPLES_WARN + ": autovacuum is behind (VACUUM, or tune it)");
                }
                if (ddbCollections != null && ddbCollections > PoolPressure.COLLECTIONS_WARN) {
                    warnings.add("DocumentDB collections " + ddbCollections + " > " + PoolPressure.COLLECTIONS_WARN
                            + ": catalog pressure (spread orgs over more pools)");
                }
            } catch (RuntimeException e) {
                // said like error, naming the pool: AdminUrl and PoolPressure do; anything else is said to be about it here
                String why = Errors.oneLine(e);
                adminError = why.startsWith("pool " + p.poolId() + ": ") ? why : "pool " + p.poolId() + ": admin PostgreSQL " + adminShown + ": " + why;
            }
        }
        long t0 = System.nanoTime();
        try {
            ctx.pools().ping(p.poolId(), p.uri());
        } catch (RuntimeException e) {
            return new Stat(p.poolId(), p.status().db(), p.orgCount(), p.capacity(), null, null, null, null, null, provision, migrate,
                    adminShown, dead, backend, ddbCollections, Errors.oneLine(e), adminError, warnings);
        }
        long pingMs = Math.max(0, (System.nanoTime() - t0) / 1_000_000);
        String version = null;
        try {
            Document info = ctx.pools().database(p.poolId(), p.uri(), "admin").runCommand(new Document("buildInfo", 1));
            version = info.getString("version");
        } catch (RuntimeException e) {
            warnings.add("buildInfo failed: " + Errors.oneLine(e));
        }
        java.util.concurrent.atomic.AtomicReference<String> silent = new java.util.concurrent.atomic.AtomicReference<>();
        long[] counts = countSchema(p, silent);
        String stopped = silent.get() == null ? null : "pool " + p.poolId() + " answered its ping, then stopped answering while its orgs' "
                + "collections were read (" + silent.get() + "): " + io.tenantctl.Counted.of(counts[2], "org") + " not read, its collections and indexes not "
                + "counted; check the pool's server (and its PostgreSQL), then run this again";
        return new Stat(p.poolId(), p.status().db(), p.orgCount(), p.capacity(), stopped == null ? counts[0] : null,
                stopped == null ? counts[1] : null, (int) counts[2], pingMs, version, provision, migrate, adminShown, dead, backend,
                ddbCollections, stopped, adminError, warnings);
    }

    /**
     * {collections, indexes, orgs that could not be read} over the pool's orgs that have a database (not deleted), a few at
     * once. Once a read finds the pool not answering (said in {@code silent}), its other orgs are not read: each would wait
     * out its own timeouts (a minute's read each), holding the command for hours on a pool of hundreds of orgs.
     */
    private long[] countSchema(Pool p, java.util.concurrent.atomic.AtomicReference<String> silent) {
        List<Org> orgs = ctx.catalog().orgs().list(p.poolId(), null).stream().filter(o -> !o.status().equals(Org.DELETED)).toList();
        long[] sum = new long[3];
        for (long[] c : Parallel.map("pool-stats-" + p.poolId(), PER_POOL, orgs, o -> {
            Errors.stopIfCancelled(ctx, "while reading pool stats");
            if (silent.get() != null) {
                return null;
            }
            try {
                MongoDatabase db = ctx.pools().database(p.poolId(), p.uri(), o.databaseName());
                long collections = 0;
                long indexes = 0;
                for (String name : db.listCollectionNames()) {
                    collections++;
                    for (Document ignored : db.getCollection(name).listIndexes()) {
                        indexes++;
                    }
                }
                return new long[]{collections, indexes};
            } catch (RuntimeException unreadable) {
                if (io.tenantctl.pool.FerretErrors.notAnswering(unreadable)) {
                    silent.compareAndSet(null, Errors.oneLine(unreadable));
                }
                return null; // counted; an org the pool refuses is no failure of the pool's line
            }
        }, "reading pool stats")) {
            if (c == null) {
                sum[2]++;
            } else {
                sum[0] += c[0];
                sum[1] += c[1];
            }
        }
        return sum;
    }

    private static Timing timing(List<RunRepository.PoolTiming> timings, String poolId, String verb) {
        return timings.stream().filter(t -> t.poolId().equals(poolId) && t.verb().equals(verb)).findFirst()
                .map(t -> new Timing(t.items(), t.p50Ms(), t.p95Ms())).orElse(null);
    }
}
