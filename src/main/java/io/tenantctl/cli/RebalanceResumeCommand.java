package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Rebalance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "resume", description = {"Finish or roll back every move whose process died, by its recorded state.",
        "Before the flip the target is dropped and the org is back on its source; after it the move is finished. A "
        + "rebalance run with moves left is continued with 'rebalance apply --resume RUN_ID'."})
final class RebalanceResumeCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Mixin
    DryRunOption dryRun;

    RebalanceResumeCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        List<String> done = new Rebalance(ctx.ops()).resume(dryRun.on);
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("dry_run", dryRun.on);
            doc.put("moves", done);
            Output.json(ctx.out, doc);
            return 0;
        }
        if (done.isEmpty()) {
            ctx.out.println("no unfinished moves");
        }
        done.forEach(ctx.out::println);
        return 0;
    }
}
