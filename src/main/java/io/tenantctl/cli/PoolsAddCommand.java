package io.tenantctl.cli;

import io.tenantctl.ops.Pools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "add", description = "Register a pool. Put secrets in ${ENV} placeholders: they are resolved at connect time, never stored.")
final class PoolsAddCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Pool name, e.g. pool-3.")
    String name;

    @Mixin
    PoolUriOptions target;

    @Option(names = "--capacity", defaultValue = "500", paramLabel = "N", description = "Most orgs placed here.")
    int capacity;

    @Option(names = "--priority", defaultValue = "100", paramLabel = "N", description = "Lower fills first.")
    int priority;

    @Mixin
    DryRunOption dryRun;

    PoolsAddCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        PoolsCommand.renderChange(ctx, new Pools(ctx.ops()).add(name, target.uri, capacity, priority, target.allowInlinePassword,
                target.allowUnreachable, dryRun.on), "add");
        return 0;
    }
}
