package io.tenantctl.cli;

import io.tenantctl.ops.Rebalance;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "move", description = {"Move one org to a pool now: freeze, copy, verify, flip, keep the source until gc.",
        "Recorded as a rebalance run of one move."})
final class RebalanceMoveCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "ORG", description = "The org to move.")
    String orgId;

    @ActsOn
    @Option(names = "--to", paramLabel = "POOL", required = true, description = "The pool to move the org to.")
    String toPool;

    @Option(names = "--wait", description = "If another operation holds the org (a backup, a restore), wait for it instead of failing at once.")
    boolean waitForOrg;

    @Mixin
    RebalanceCommand.MoveOptions move;

    @Mixin
    DryRunOption dryRun;

    RebalanceMoveCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Rebalance rebalance = new Rebalance(ctx.ops());
        Rebalance.PlannedMove one = rebalance.planOne(orgId, toPool);
        if (!waitForOrg) {
            rebalance.refuseIfBusy(orgId);
        }
        RunEngine.Settings settings = new RunEngine.Settings(1, 1, 0, waitForOrg, 0); // a busy org: refused at once, unless --wait
        Rebalance.Result r = rebalance.apply(new Rebalance.ApplyRequest(List.of(one), null, move.limits(), dryRun.on,
                new RunEngine.Drive(settings, RunControl.START, ctx.cancel, ProgressReporter.of(ctx))));
        return RebalanceApplyCommand.render(ctx, r, false);
    }
}
