package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.OrgLifecycle;
import io.tenantctl.ops.Orgs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "forget", description = {"Remove a failed org's catalog row, so it can be provisioned or adopted afresh.",
        "For an org whose provision or adoption failed. Touches no database: whatever the org's database holds stays. "
        + "Taken under the org's lease: while a provision (re-run) holds the org, exits 3 naming it; --dry-run checks the same."})
final class OrgsForgetCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Mixin
    DryRunOption dryRun;

    @Parameters(index = "0", paramLabel = "ORG", description = "The org whose catalog row goes.")
    String orgId;

    @Option(names = "--wait", description = "If another operation holds the org, wait for it instead of exiting 3.")
    boolean waitForOrg;

    OrgsForgetCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Orgs.View o = new OrgLifecycle(ctx.ops()).forget(orgId, dryRun.on, waitForOrg, ctx.cancel);
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("org_id", o.orgId());
            doc.put("forgotten", !dryRun.on);
            doc.put("dry_run", dryRun.on);
            doc.put("pool_id", o.poolId());
            doc.put("database_name", o.databaseName());
            Output.json(ctx.out, doc);
            return 0;
        }
        if (dryRun.on) {
            ctx.out.println("dry run: would forget org " + o.orgId() + " (failed); its database " + o.databaseName() + " on pool "
                    + o.poolId() + " would be left as it is");
            return 0;
        }
        ctx.out.println("forgot org " + o.orgId() + "; its database " + o.databaseName() + " on pool " + o.poolId()
                + " (if it exists) was left as it was");
        return 0;
    }
}
