package io.tenantctl.cli;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Init;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "init", description = "Create or upgrade the catalog schema. Safe to run again; refuses a catalog from a newer tenantctl.")
final class InitCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Mixin
    DryRunOption dryRun;

    InitCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Catalog catalog = ctx.catalogForInit();
        if (dryRun.on) {
            Init.Result plan = new Init(catalog).plan(); // what the real init would refuse, the dry run refuses
            if (ctx.json()) {
                // a catalog never initialised has no version: null, as the init it predicts says
                Output.json(ctx.out, Output.ordered("catalog", plan.catalog(), "dry_run", true,
                        "from_version", plan.fromVersion(), "to_version", plan.toVersion()));
            } else {
                ctx.out.println("dry run: catalog " + plan.catalog() + (plan.fromVersion() == null ? " is not initialised; init would create it at"
                        + " schema version " : " is at schema version " + plan.fromVersion() + "; init would bring it to ") + plan.toVersion());
            }
            return 0;
        }
        Init.Result r = new Init(catalog).run();
        if (ctx.json()) {
            Output.json(ctx.out, r);
        } else if (r.changed()) {
            ctx.out.println("catalog " + r.catalog() + " initialised at schema version " + r.toVersion()
                    + (r.fromVersion() == null ? "" : " (was " + r.fromVersion() + ")"));
        } else {
            ctx.out.println("catalog " + r.catalog() + " already at schema version " + r.toVersion() + ": nothing to do");
        }
        return 0;
    }
}
