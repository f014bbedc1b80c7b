package io.tenantctl.cli;

import io.tenantctl.ops.Pools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "set-capacity", description = {"Raise (or lower) how many orgs a pool takes: placement fills it to that.",
        "Never below the orgs it holds (move them off first)."})
final class PoolsSetCapacityCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "The pool whose capacity changes.")
    String name;

    @Option(names = "--capacity", required = true, paramLabel = "N", description = "Most orgs the pool holds.")
    int capacity;

    @Mixin
    DryRunOption dryRun;

    PoolsSetCapacityCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Pools pools = new Pools(ctx.ops());
        Pools.Added set = pools.setCapacity(name, capacity, dryRun.on);
        PoolsCommand.renderChange(ctx, set, "set the capacity of");
        if (set.changed() && set.pool().free() == 0 && set.pool().status().equals(Pools.enableStatus())) { // it took orgs until now
            PoolsCommand.warnIfNoRoomLeft(ctx, pools, name, dryRun.on);
        }
        return 0;
    }
}
