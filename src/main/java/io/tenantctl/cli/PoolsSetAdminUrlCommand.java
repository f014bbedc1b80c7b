package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.PoolStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "set-admin-url", description = {"Give a pool the URL of its own PostgreSQL, which 'pools stats' reads (read-only).",
        "It reads pg_stat_user_tables, pg_stat_bgwriter and DocumentDB's catalog. A password only as a ${VAR} placeholder, "
        + "resolved from the environment at connect time: the catalog never stores one."})
final class PoolsSetAdminUrlCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "POOL", description = "The pool whose PostgreSQL the URL reaches.")
    String pool;

    @ActsOn // the value the command sets: typed, as set-uri's and set-capacity's (required) are
    @Option(names = "--url", paramLabel = "URL", description = "postgres://USER:${VAR}@HOST:5432/postgres (or postgresql://, jdbc:postgresql://).")
    String url;

    @ActsOn
    @Option(names = "--clear", description = "Remove the pool's admin URL.")
    boolean clear;

    @Mixin
    DryRunOption dryRun;

    PoolsSetAdminUrlCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if ((url == null) == !clear) {
            throw TenantctlException.usage("give exactly one of --url URL or --clear");
        }
        PoolStats.AdminUrlSet set = new PoolStats(ctx.ops(), ctx.effectiveEnv()).setAdminUrl(pool, clear ? null : url, dryRun.on);
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("pool_id", pool);
            doc.put("admin_url", set.adminUrl());
            doc.put("dry_run", dryRun.on);
            doc.put("changed", set.changed()); // false: set to what it already was, as set-uri and set-capacity say
            Output.json(ctx.out, doc);
            return 0;
        }
        String what = set.adminUrl() == null ? "no admin URL" : "admin URL " + set.adminUrl();
        String prefix = dryRun.on ? "dry run: pool " + pool + " " : "pool " + pool + " ";
        ctx.out.println(prefix + (!set.changed() ? "already has " + what + ": nothing to do" : dryRun.on ? "would have " + what : "has " + what));
        return 0;
    }
}
