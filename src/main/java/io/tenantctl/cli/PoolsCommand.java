package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Pools;
import picocli.CommandLine.Command;

import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

@Command(name = "pools", description = "Register FerretDB pools and change their status.",
        subcommands = {PoolsAddCommand.class, PoolsListCommand.class, PoolsShowCommand.class, PoolsDrainCommand.class,
                PoolsEnableCommand.class})
final class PoolsCommand {

    /** drain / enable: show the plan with --dry-run, else apply and show the pool. */
    static int changeStatus(CliContext ctx, String name, boolean dryRun, String verb, String target,
                            Function<String, Pools.View> apply) {
        if (dryRun) {
            Pools.View p = new Pools(ctx.catalog()).show(name);
            if (ctx.json()) {
                Map<String, Object> plan = new LinkedHashMap<>();
                plan.put("dry_run", true);
                plan.put("pool_id", p.poolId());
                plan.put("status", p.status());
                plan.put("would_become", target);
                Output.json(ctx.out, plan);
                return 0;
            }
            ctx.out.println("dry run: pool " + p.poolId() + " is " + p.status() + "; " + verb + " would make it " + target);
            return 0;
        }
        render(ctx, apply.apply(name));
        return 0;
    }

    /** One pool, as key: value lines or JSON. */
    static void render(CliContext ctx, Pools.View p) {
        if (ctx.json()) {
            Output.json(ctx.out, p);
            return;
        }
        Output.fields(ctx.out, List.of(
                new String[]{"pool", p.poolId()},
                new String[]{"uri", p.uri()},
                new String[]{"status", p.status()},
                new String[]{"priority", String.valueOf(p.priority())},
                new String[]{"orgs", p.orgs() + " / " + p.capacity() + " (" + p.free() + " free)"},
                new String[]{"created", p.createdAt() == null ? null : DateTimeFormatter.ISO_INSTANT.format(p.createdAt())}));
    }
}
