package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.PoolStats;
import io.tenantctl.ops.Pools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "stats", description = {"Show each pool's fill, schema size, latency, version, per-org times and PostgreSQL pressure.",
        "Per pool: orgs/capacity, collections and indexes over its orgs, ping latency, server version, p50/p95 provision "
        + "and migrate-all time per org from run history; with an admin URL ('pools set-admin-url') also n_dead_tup, "
        + "buffers_backend and DocumentDB's collection count, warned about past 1,000,000 dead tuples or 50,000 collections. "
        + "An unreachable pool is a line with its error; exit 0 unless the catalog is unreachable."})
final class PoolsStatsCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", arity = "0..1", paramLabel = "POOL", description = "One pool (default: all).")
    String pool;

    PoolsStatsCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        PoolStats.Result r = new PoolStats(ctx.ops(), ctx.effectiveEnv()).stats(pool);
        java.util.Set<String> shown = r.pools().stream().map(PoolStats.Stat::poolId).collect(java.util.stream.Collectors.toSet());
        PoolsCommand.warnInlineSecrets(ctx, new Pools(ctx.catalog()).list().stream().filter(v -> shown.contains(v.poolId())).toList());
        if (ctx.json()) {
            Output.json(ctx.out, r);
            return 0;
        }
        if (r.pools().isEmpty()) { // only with no POOL given: a named one that does not exist is refused
            ctx.out.println(PoolsCommand.NO_POOLS);
            return 0;
        }
        Output.table(ctx.out, List.of("pool", "status", "orgs", "collections", "indexes", "ping_ms", "version", "provision p50/p95",
                        "migrate p50/p95", "dead_tup", "buf_backend", "ddb_colls", "error"),
                r.pools().stream().map(s -> Arrays.asList(s.poolId(), s.status(), s.orgs() + "/" + s.capacity(), na(s.collections()),
                        na(s.indexes()), na(s.pingMs()), s.serverVersion() == null ? "n/a" : s.serverVersion(), timing(s.provision()),
                        timing(s.migrate()), s.adminUrl() == null ? "-" : na(s.deadTuples()), s.adminUrl() == null ? "-" : na(s.buffersBackend()),
                        s.adminUrl() == null ? "-" : na(s.documentdbCollections()), problems(s))).toList());
        for (PoolStats.Stat s : r.pools()) {
            if (s.orgsUnreadable() != null && s.orgsUnreadable() > 0) {
                ctx.warn("pool " + s.poolId() + ": " + io.tenantctl.Counted.of(s.orgsUnreadable(), "org database") + " could not be listed");
            }
            if (s.adminError() != null) {
                ctx.warn(s.adminError()); // it names the pool already
            }
            for (String w : s.warnings()) {
                ctx.warn("pool " + s.poolId() + ": " + w);
            }
        }
        return 0;
    }

    /** The ERROR column: why the pool, and why its admin PostgreSQL, could not be read ("-" when both could). */
    private static String problems(PoolStats.Stat s) {
        List<String> why = new java.util.ArrayList<>();
        if (s.error() != null) {
            why.add(s.error());
        }
        if (s.adminError() != null) {
            why.add(s.adminError());
        }
        return why.isEmpty() ? null : String.join("; ", why);
    }

    private static String na(Object v) {
        return v == null ? "n/a" : String.valueOf(v);
    }

    private static String timing(PoolStats.Timing t) {
        return t == null ? "n/a" : t.p50Ms() + "/" + t.p95Ms() + " ms (" + t.items() + ")";
    }
}
