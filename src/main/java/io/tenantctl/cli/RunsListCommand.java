package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Runs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "list", description = "Recent runs, newest first.")
final class RunsListCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "Show at most N runs, newest first.")
    int limit;

    @ActsOn
    @Option(names = "--verb", paramLabel = "VERB", description = "Only runs of this verb: provision, migrate-all, backup, restore, "
            + "rebalance or verify.")
    String verb;

    RunsListCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (limit < 1) {
            throw io.tenantctl.TenantctlException.usage("--limit must be at least 1, not " + limit);
        }
        List<Runs.RunView> runs = new Runs(ctx.catalog()).list(limit, verb);
        if (ctx.json()) {
            Output.json(ctx.out, Map.of("runs", runs));
            return 0;
        }
        Output.table(ctx.out, List.of("run", "verb", "status", "started", "finished", "actor"),
                runs.stream().map(r -> java.util.Arrays.asList(r.runId(), r.verb(), r.status(), String.valueOf(r.startedAt()),
                        r.finishedAt() == null ? null : r.finishedAt().toString(), r.actor())).toList());
        runs.forEach(r -> printNext(ctx, r));
        return 0;
    }

    /**
     * For a run abandoned, interrupted, aborted or failed, the line saying what resumes (or cancels) it, and for a detached run no
     * worker has joined yet, its --join (or its cancel); runs show prints it too.
     */
    static void printNext(CliContext ctx, Runs.RunView r) {
        if (r.next() != null) {
            ctx.out.println(r.status() + " " + r.runId() + ": " + r.next().text());
        }
    }
}
