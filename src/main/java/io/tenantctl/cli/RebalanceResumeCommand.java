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
        // a run it ended failed (a dead move it rolled back was the run's last, or an earlier one failed), each org not
        // moved with its next step, as that run's worker would have said
        Map<String, List<Summary.Failure>> notMoved = new LinkedHashMap<>();
        resumed.endedFailed().stream().filter(r -> r.report().count("failed") > 0) // its failed orgs read from the run's items
                .forEach(r -> notMoved.put(r.report().runId(), Summary.failures(r.lines().failed(), RebalanceApplyCommand.next(ctx, r.report().runId()))));
        // and one it ended failed for its drain left undone: exit 1, naming the orgs, as that run's apply --resume does
        int exit = resumed.leftOnDraining().isEmpty() && notMoved.isEmpty() ? 0 : 1;
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("dry_run", dryRun.on);
            doc.put("moves", done);
            doc.put("left_on_draining", resumed.leftOnDraining());
            doc.put("notes", resumed.notes());
            List<Map<String, Object>> ended = new java.util.ArrayList<>();
            notMoved.forEach((runId, failed) -> {
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("run_id", runId);
                run.put("failed", Summary.json(failed));
                ended.add(run);
            });
            doc.put("ended_failed", ended);
            Output.json(ctx.out, doc);
        } else {
            if (done.isEmpty()) {
                ctx.out.println("no unfinished moves");
            }
            done.forEach(ctx.out::println);
            resumed.notes().forEach(ctx::note); // what the planner of a run it ended said of the orgs its drain left
        }
        notMoved.forEach((runId, failed) -> {
            String l = endedFailed(runId, failed);
            ctx.log("error", l, Map.of("run_id", runId), "error: " + l);
        });
        RebalanceApplyCommand.leftOnDraining(resumed.leftOnDraining(), false, resumed.notes())
                .forEach(l -> ctx.log("error", l, Map.of(), "error: " + l));
        return exit;
    }

    /** "rebalance run R ended failed: org acme was not moved — next: …": the run, its orgs not moved, what to do for each. */
    static String endedFailed(String runId, List<Summary.Failure> failed) {
        java.util.function.Function<Summary.Failure, String> step = f -> f.nextStep() == null
                ? "its error says why ('tenantctl runs show " + runId + "')" : f.nextStep().text();
        return "rebalance run " + runId + " ended failed: " + (failed.size() == 1 ? "org " + failed.get(0).orgId() + " was not moved — next: "
                + step.apply(failed.get(0)) : failed.size() + " orgs were not moved — next: " + io.tenantctl.Counted.firstOf(failed.stream()
                .map(f -> "for " + f.orgId() + ", " + step.apply(f)).toList(), failed.size(), 10, "; ", ": see 'tenantctl runs show " + runId + "'"));
    }
}
