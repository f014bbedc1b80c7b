package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Orgs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "forget", description = {"Remove a failed org's catalog row, so it can be provisioned or adopted afresh.",
        "For an org whose provision or adoption failed. Touches no database: whatever the org's database holds stays."})
final class OrgsForgetCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Mixin
    DryRunOption dryRun;

    @Parameters(index = "0", paramLabel = "ORG")
    String orgId;

    OrgsForgetCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Orgs.View o = new Orgs(ctx.catalog()).forget(orgId, dryRun.on);
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
