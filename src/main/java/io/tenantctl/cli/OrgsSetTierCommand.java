package io.tenantctl.cli;

import io.tenantctl.ops.OrgLifecycle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "set-tier", description = {"Change an org's tier (its backup policy follows: 'backup --due', 'backups prune').",
        "TIER must match ^[a-z][a-z0-9_-]{0,31}$, as for 'provision --tier'. "
        + "Taken under the org's lease: refused (exit 3, naming the holder) while a move, restore or frozen backup runs on it."})
final class OrgsSetTierCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "ORG", description = "The org whose tier changes.")
    String orgId;

    @Parameters(index = "1", paramLabel = "TIER", description = "The new tier: ^[a-z][a-z0-9_-]{0,31}$ (its backup policy follows).")
    String tier;

    @Option(names = "--wait", description = "If another operation holds the org, wait for it instead of exiting 3.")
    boolean waitForOrg;

    @Mixin
    DryRunOption dryRun;

    OrgsSetTierCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        OrgLifecycle.Changed c = new OrgLifecycle(ctx.ops()).setTier(orgId, tier, dryRun.on, waitForOrg, ctx.cancel);
        OrgsSuspendCommand.render(ctx, c, "moved to tier " + c.tier(), "on tier " + c.tier());
        return 0;
    }
}
