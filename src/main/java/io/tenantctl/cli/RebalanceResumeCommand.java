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
        Rebalance.Resumed resumed = new Rebalance(ctx.ops()).resumeMoves(dryRun.on);
        List<String> done = resumed.lines();
        // a run it ended failed for its drain left undone: exit 1, naming the orgs, as that run's apply --resume does
        int exit = resumed.leftOnDraining().isEmpty() ? 0 : 1;
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("dry_run", dryRun.on);
            doc.put("moves", done);
            doc.put("left_on_draining", resumed.leftOnDraining());
            Output.json(ctx.out, doc);
        } else {
            if (done.isEmpty()) {
                ctx.out.println("no unfinished moves");
            }
            done.forEach(ctx.out::println);
        }
        RebalanceApplyCommand.leftOnDraining(resumed.leftOnDraining(), false, List.of())
                .forEach(l -> ctx.log("error", l, Map.of(), "error: " + l));
        return exit;
    }
}
