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
        int exit = PoolsCommand.changeStatus(ctx, name, dryRun.on, "drain", Pools.drainStatus(), pools::drain);
        PoolsCommand.warnIfNoRoomLeft(ctx, pools, name, dryRun.on);
        java.util.List<String> placed = pools.provisioning(name);
        if (!placed.isEmpty()) { // a drain does not take back places a provision already holds
            ctx.warn(io.tenantctl.Counted.of(placed.size(), "org") + " placed on pool " + name + " before the drain " + io.tenantctl.Counted.are(placed.size())
                    + " still being provisioned there ("
                    + io.tenantctl.Counted.firstOf(placed, 5, ", ")
                    + ") and " + (dryRun.on ? "would be" : "will be") + " created on it; once " + io.tenantctl.Counted.they(placed.size()) + " " + io.tenantctl.Counted.are(placed.size())
                    + " active, 'tenantctl rebalance plan' shows where " + io.tenantctl.Counted.they(placed.size()) + " would go and 'tenantctl "
                    + "rebalance apply' moves " + io.tenantctl.Counted.them(placed.size()) + " off");
        }
        return exit;
    }
}
