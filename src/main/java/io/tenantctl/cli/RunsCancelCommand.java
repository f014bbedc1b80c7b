package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Runs;
import io.tenantctl.ops.StreamedJsonArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "cancel", description = {"End a run for good, so that it no longer blocks the next rollout.",
        "Orgs in flight finish; the rest are recorded cancelled. For a run whose workers crashed or that nobody will resume."})
final class RunsCancelCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Mixin
    DryRunOption dryRun;

    @Parameters(index = "0", paramLabel = "RUN_ID", converter = RunIdConverter.class, description = "The run to end (see 'tenantctl runs list').")
    String runId;

    RunsCancelCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (ctx.json()) { // every org given back listed, spooled as it is given back: a fleet's 50,000 are not held
            Output.withSpooledLines(released -> {
                Runs.Cancelled c = cancel(released::add);
                Output.json(ctx.out, new Json(c.run(), c.provision() == null ? null
                        : new Provision(StreamedJsonArray.of(released::forEach), c.provision().failed()), c.dryRun(), c.changed()));
            });
            return 0;
        }
        Runs.Cancelled c = cancel(id -> {
        });
        Runs.RunView r = c.run();
        if (!c.changed()) {
            ctx.out.println((dryRun.on ? "dry run: " : "") + "run " + r.runId() + " (" + r.verb() + ") was already cancelled"
                    + (r.finishedAt() != null ? " (ended " + r.finishedAt() + ")" : "") + ": nothing to do");
            return 0;
        }
        if (dryRun.on) {
            ctx.out.println("dry run: run " + r.runId() + " (" + r.verb() + ", " + r.status() + ") would be cancelled" + unplaced(c, true));
            return 0;
        }
        ctx.out.println("run " + r.runId() + " (" + r.verb() + ") cancelled; its orgs that had not started are recorded as cancelled"
                + unplaced(c, false));
        return 0;
    }

    /** The cancel (or its dry run), each org it gives a place back handed to {@code released}, and what it leaves put right. */
    private Runs.Cancelled cancel(java.util.function.Consumer<String> released) {
        Runs.Cancelled c = new Runs(ctx.catalog(), ctx.actorName()).cancel(runId, dryRun.on, released);
        if (!dryRun.on) {
            // what the run's dead workers left on their orgs (a frozen org, a restore half-done) is undone now, not whenever
            // some later command happens to sweep: a cancelled --freeze backup must not leave its org read_only
            io.tenantctl.ops.LeaseRecovery.sweep(ctx.ops());
        } else { // what that sweep would put right is said, as the cancel says what it put right (on stderr)
            io.tenantctl.ops.LeaseRecovery.pending(ctx.ops()).forEach(l -> ctx.ops().notices().accept("dry run: would put right: " + l));
        }
        return c;
    }

    /** {@code -o json}: the run, and for a provision every org given back ({@code places_released}) and every one failed. */
    record Json(@com.fasterxml.jackson.annotation.JsonUnwrapped Runs.RunView run, Provision provision, boolean dryRun, boolean changed) {
    }

    record Provision(StreamedJsonArray<String> placesReleased, java.util.Map<String, String> failed) {
    }

    /** What the cancel of a provision run does to the places of its orgs that never started. */
    private static String unplaced(Runs.Cancelled c, boolean dryRun) {
        Runs.Unplaced u = c.provision();
        if (u == null || u.placesReleased() == 0 && u.failed().isEmpty()) {
            return "";
        }
        String out = "";
        if (u.placesReleased() > 0) {
            out += "; " + io.tenantctl.Counted.of(u.placesReleased(), "org") + " never provisioned " + (dryRun ? "would give" : "gave")
                    + (u.placesReleased() == 1 ? " its place back: " : " their places back: ")
                    + listed(u.firstReleased(), u.placesReleased(), "provision.places_released");
        }
        if (!u.failed().isEmpty()) {
            out += "; " + io.tenantctl.Counted.of(u.failed().size(), "org") + " a worker had begun " + (dryRun ? "would be" : u.failed().size() == 1 ? "is now" : "are now") + " failed (each: "
                    + "the provision that finishes it, or 'tenantctl orgs forget ORG' to free its place): " + listed(
                    u.failed().entrySet().stream().limit(Summary.LISTED).map(e -> e.getKey() + " '" + e.getValue() + "'").toList(),
                    u.failed().size(), "provision.failed");
        }
        return out;
    }

    /** The first {@link Summary#LISTED} of {@code total} orgs ({@code first}), the rest counted: a fleet's 50,000 were half a megabyte on one line. */
    private static String listed(List<String> first, long total, String jsonField) {
        return io.tenantctl.Counted.firstOf(first, total, Summary.LISTED, ", ", " (-o json lists each: " + jsonField + ")");
    }
}
