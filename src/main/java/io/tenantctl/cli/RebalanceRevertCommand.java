package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Rebalance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "revert", description = {"Flip a moved org back to the source its move retained, if nothing was written to it since.",
        "Nothing was written when its target still equals the fingerprint ledger; refused otherwise, saying why."})
final class RebalanceRevertCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "MOVE_ID", description = "The move to undo (see 'tenantctl rebalance status').")
    String moveId;

    @Option(names = "--wait", description = "If another operation holds the org, wait for it instead of failing.")
    boolean waitForOrg;

    @Mixin
    DryRunOption dryRun;

    RebalanceRevertCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        String done = new Rebalance(ctx.ops()).revert(moveId, dryRun.on, waitForOrg, ctx.cancel);
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("move_id", moveId);
            doc.put("dry_run", dryRun.on);
            doc.put("reverted", !dryRun.on);
            doc.put("message", done);
            Output.json(ctx.out, doc);
        } else {
            ctx.out.println(done); // a dry run's message says "dry run: " itself
        }
        return 0;
    }
}
