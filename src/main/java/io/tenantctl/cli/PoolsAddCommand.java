package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Pools;
import io.tenantctl.pool.PoolUri;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "add", description = "Register a pool. Put secrets in $${ENV} placeholders: they are resolved at connect time, never stored.")
final class PoolsAddCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Pool name, e.g. pool-3.")
    String name;

    @Option(names = "--uri", required = true, paramLabel = "URI", description = "mongodb:// URI, e.g. mongodb://app:$${POOL3_PASSWORD}@ferret-3:27017/")
    String uri;

    @Option(names = "--capacity", defaultValue = "500", paramLabel = "N", description = "Most orgs placed here (default ${DEFAULT-VALUE}).")
    int capacity;

    @Option(names = "--priority", defaultValue = "100", paramLabel = "N", description = "Lower fills first (default ${DEFAULT-VALUE}).")
    int priority;

    @Option(names = "--allow-inline-password", description = "Accept a literal password in the URI (it is stored in the catalog; never printed).")
    boolean allowInlinePassword;

    @Option(names = "--dry-run", description = "Check the input and say what would be added; change nothing.")
    boolean dryRun;

    PoolsAddCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (dryRun) {
            PoolUri parsed = PoolUri.parse(uri, allowInlinePassword);
            if (ctx.json()) {
                Map<String, Object> plan = new LinkedHashMap<>();
                plan.put("dry_run", true);
                plan.put("pool_id", name);
                plan.put("uri", parsed.redacted());
                plan.put("capacity", capacity);
                plan.put("priority", priority);
                Output.json(ctx.out, plan);
                return 0;
            }
            ctx.out.println("dry run: would add pool " + name + " " + parsed.redacted() + " capacity " + capacity + " priority " + priority);
            return 0;
        }
        Pools.View p = new Pools(ctx.catalog()).add(name, uri, capacity, priority, allowInlinePassword);
        if (!ctx.json()) {
            ctx.out.println("added pool " + p.poolId());
        }
        PoolsCommand.render(ctx, p);
        return 0;
    }
}
