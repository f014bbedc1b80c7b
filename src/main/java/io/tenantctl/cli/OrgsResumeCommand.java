package io.tenantctl.cli;

import io.tenantctl.ops.OrgLifecycle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "resume", description = {"Make a suspended (read_only) org active again: the routing view says writable=true.",
        "Only an active or read_only org, or a deleting one whose database purge has not dropped (the delete undone: the org "
        + "on that database as it was before the delete, active, or read_only if it was suspended then); taken under the "
        + "org's lease, so never during a move, restore or frozen backup. "
        + "'tenantctl orgs suspend ORG' is the way back."})
final class OrgsResumeCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "ORG", description = "The suspended (or deleting) org to make writable again.")
    String orgId;

    @Option(names = "--wait", description = "If another operation holds the org, wait for it instead of exiting 3.")
    boolean waitForOrg;

    @Mixin
    DryRunOption dryRun;

    OrgsResumeCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        OrgLifecycle.Changed c = new OrgLifecycle(ctx.ops()).resume(orgId, dryRun.on, waitForOrg, ctx.cancel);
        OrgsSuspendCommand.render(ctx, c, "resumed", c.status());
        return 0;
    }
}
