package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.OrgLifecycle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "suspend", description = {"Make an org read_only: the routing view says writable=false, its data stays.",
        "Only an active or read_only org; taken under the org's lease, so never during a move, restore or frozen backup. "
        + "'tenantctl orgs resume ORG' makes it writable again."})
final class OrgsSuspendCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "ORG", description = "The org to make read_only.")
    String orgId;

    @Option(names = "--wait", description = "If another operation holds the org, wait for it instead of exiting 3.")
    boolean waitForOrg;

    @Mixin
    DryRunOption dryRun;

    OrgsSuspendCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        render(ctx, new OrgLifecycle(ctx.ops()).suspend(orgId, dryRun.on, waitForOrg, ctx.cancel), "suspended", "read_only");
        return 0;
    }

    /** suspend / resume / set-tier: one JSON document, or one line. */
    static void render(CliContext ctx, OrgLifecycle.Changed c, String done, String what) {
        if (ctx.json()) {
            Output.json(ctx.out, c);
            return;
        }
        if (!c.changed()) {
            ctx.out.println((c.dryRun() ? "dry run: " : "") + "org " + c.orgId() + " is already " + what + ": nothing to do");
        } else if (c.dryRun()) {
            ctx.out.println("dry run: org " + c.orgId() + " would be " + done + " (" + describe(c) + "); nothing written");
        } else {
            ctx.out.println("org " + c.orgId() + " " + done + " (" + describe(c) + ")");
        }
        if (c.next() != null) {
            String why = c.status().equals("read_only") // a deleted org taken back as suspended as it was
                    ? " was suspended (read_only) when it was deleted and " + (c.dryRun() ? "would be" : "is") + " again; to make it writable"
                    : " has another manifest than the last rollout applied; next for " + c.orgId();
            ctx.note("org " + c.orgId() + why + ": " + c.next());
        }
    }

    private static String describe(OrgLifecycle.Changed c) {
        return c.tierBefore() != null && !c.tierBefore().equals(c.tier()) ? "tier " + c.tierBefore() + " -> " + c.tier()
                : c.statusBefore() + " -> " + c.status();
    }
}
