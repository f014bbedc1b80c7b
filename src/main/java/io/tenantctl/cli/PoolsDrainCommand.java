package io.tenantctl.cli;

import io.tenantctl.ops.Pools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "drain", description = "Stop placing new orgs on a pool (its orgs stay).")
final class PoolsDrainCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "The pool that takes no new orgs from now on.")
    String name;

    @Mixin
    DryRunOption dryRun;

    PoolsDrainCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Pools pools = new Pools(ctx.catalog());
        return PoolsCommand.changeStatus(ctx, name, dryRun.on, "drain", Pools.drainStatus(), pools::drain);
    }
}
