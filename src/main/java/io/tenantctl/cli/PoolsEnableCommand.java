package io.tenantctl.cli;

import io.tenantctl.ops.Pools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "enable", description = "Let a pool take new orgs again.")
final class PoolsEnableCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "The drained pool that takes new orgs again.")
    String name;

    @Mixin
    DryRunOption dryRun;

    PoolsEnableCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Pools pools = new Pools(ctx.catalog());
        return PoolsCommand.changeStatus(ctx, name, dryRun.on, "enable", Pools.enableStatus(), pools::enable);
    }
}
