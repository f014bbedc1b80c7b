package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Runs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "show", description = "One run: its arguments and each org's outcome, attempts, time and error.")
final class RunsShowCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "RUN_ID", converter = RunIdConverter.class, description = "The run (see 'tenantctl runs list').")
    String runId;

    RunsShowCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Runs.Detail d = new Runs(ctx.catalog()).show(runId);
        // its items are read from the catalog as they are written (a fleet's, a verify's findings with them): spooled, printed
        // once whole, so a catalog lost half-way leaves no part of them on stdout to read as the whole (the error says what failed)
        if (ctx.json()) {
            Output.jsonSpooled(ctx.out, d);
            return 0;
        }
        Output.textSpooled(ctx.out, out -> {
            out.println("run " + d.run().runId() + " " + d.run().verb() + " " + d.run().status() + " started " + d.run().startedAt()
                    + (d.run().finishedAt() == null ? "" : " finished " + d.run().finishedAt()) + " by " + d.run().actor());
            if (d.run().reason() != null) { // why it was aborted, cancelled or failed
                out.println("reason " + d.run().reason());
            }
            out.println("args " + d.run().args() + (d.run().perPool() == null ? "" : "  per-pool " + d.run().perPool()));
            Output.spooledTable(out, List.of("org", "status", "attempts", "ms", "error"), rows -> d.forEachItem(i -> rows.accept(
                    java.util.Arrays.asList(i.orgId(), i.status(), String.valueOf(i.attempts()), i.millis() == null ? null : String.valueOf(i.millis()),
                            i.error()))));
        });
        RunsListCommand.printNext(ctx, d.run());
        return 0;
    }
}
