package io.tenantctl.cli;

import io.tenantctl.NextStep;
import io.tenantctl.TenantctlException;
import io.tenantctl.ops.Rebalance;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "apply", description = {"Carry out a plan on the run engine: resumable, shareable by workers.",
        "The plan is --plan FILE (from 'rebalance plan -o json') or one made now; one move per source and per target pool "
        + "at a time by default (--per-pool)."})
final class RebalanceApplyCommand implements Callable<Integer> {

    private final CliContext ctx;

    @ActsOn
    @Option(names = "--plan", paramLabel = "FILE", description = "The plan to apply (JSON of 'rebalance plan -o json'); without it, plan now.")
    Path planFile;

    @Mixin
    RebalanceCommand.PlanOptions plan;

    @Mixin
    RebalanceCommand.MoveOptions move;

    @Mixin
    DryRunOption dryRun;

    @Mixin
    FanoutOptions fanout;

    RebalanceApplyCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Metrics metrics = fanout.metrics(ctx, "rebalance");
        RunEngine.Drive drive = fanout.drive(ctx, 1); // its limits checked before anything is read or recorded
        // a dry run of a joined or resumed run would go on for real; the run moves by its own plan and limits
        fanout.refuseWithExistingRun(ctx, "rebalance", "--plan", "--by", "--threshold", "--max-moves", "--pool", "--exclude", "--max-freeze",
                "--freeze-grace", "--force");
        Rebalance.SavedPlan saved = planFile == null ? null : read(planFile);
        Rebalance.Result r = new Rebalance(ctx.ops()).apply(new Rebalance.ApplyRequest(saved == null ? null : saved.moves(), plan.request(),
                move.limits(), dryRun.on, drive, saved));
        metrics.report(r.report(), r.lines());
        return render(ctx, r, fanout.detach);
    }

    private static Rebalance.SavedPlan read(Path file) {
        try {
            return Rebalance.readPlan(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw TenantctlException.usage("plan file " + file + " does not exist: write one with 'tenantctl rebalance plan -o json > " + NextStep.shellWord(file.toString()) + "'");
        } catch (IOException e) {
            throw TenantctlException.usage("cannot read plan file " + file + ": " + io.tenantctl.IoErrors.describe(e));
        }
    }

    /** A line per draining pool a drain leaves orgs on (an error: exit 1), with what to do; rebalance resume's too. */
    static List<String> leftOnDraining(Map<String, List<String>> leftOnDraining, boolean dryRun, List<String> notes) {
        List<String> left = new java.util.ArrayList<>();
        leftOnDraining.forEach((pool, orgs) -> left.add("pool " + pool + " is draining and " + (dryRun ? "would still hold "
                : "still holds ") + io.tenantctl.Counted.of(orgs.size(), "org") + " no "
                + "active pool that answered had room for: " + io.tenantctl.Counted.firstOf(orgs, 10, ", ")
                + " — " + (notes.stream().anyMatch(n -> n.contains("not in --pool")) ? "name the pools with room the notes list in "
                + "--pool, " : "") + "raise a capacity ('tenantctl pools set-capacity POOL --capacity N'), add a pool, or bring back a pool "
                + "the notes say does not answer, then 'tenantctl rebalance apply' again"));
        return left;
    }

    /** Each failed move's next step in run {@code runId} (apply, move, and resume's runs it ended failed). */
    static java.util.function.Function<RunReport.Org, NextStep> next(CliContext ctx, String runId) {
        // an org not movable as it is (deleting, provisioning): what orgs show names as its way on
        return f -> "org".equals(f.detail().path("refused").asText("")) && !f.detail().has("org_status")
                ? new io.tenantctl.ops.Orgs(ctx.catalog()).wayOn(f.orgId()) : nextStep(f, runId);
    }

    /**
     * The run's report (apply and move): the common header, each move's figures, failures with their next step; its counts,
     * timings and slowest from the report, which holds no org's line, and the table, -o json's orgs[] and failed[] and the
     * failures on stderr from the lines read from the run's items a page at a time, the table and the document printed once
     * whole (a run of a page of orgs or fewer: read into memory first, printed as ever).
     */
    static int render(CliContext ctx, Rebalance.Result r, boolean detached) {
        RunReport report = r.report();
        io.tenantctl.ops.run.ReportLines lines = r.lines().heldUpTo(io.tenantctl.ops.run.ReportLines.PAGE, report.total());
        java.util.function.Function<RunReport.Org, NextStep> next = Summary.shown(report, next(ctx, report.runId()));
        List<String> left = leftOnDraining(r.leftOnDraining(), report.dryRun(), r.notes());
        if (ctx.json()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("moved", report.count("moved"));
            fields.put("planned", report.count("planned"));
            fields.put("notes", r.notes());
            fields.put("left_on_draining", r.leftOnDraining());
            Summary.print(ctx, lines, Summary.json(report, lines::forEach, lines.failed(), r.interrupted(), fields, next));
        } else if (!detached || !Summary.detached(ctx, report, io.tenantctl.Counted.of(report.total(), "move"))) {
            // a detached run waiting for its workers is said by its line alone; one with no move (a plan of none) is over as
            // it is recorded, and said as without --detach
            Summary.table(ctx, lines, List.of("org", "from", "to", "outcome", "docs", "bytes", "freeze_ms", "copy_ms", "MB/s", "error"),
                    o -> Arrays.asList(o.orgId(), o.poolId(), text(o, "to_pool"), o.outcome(), text(o, "docs"),
                            text(o, "bytes"), text(o, report.dryRun() ? "predicted_freeze_ms" : "freeze_ms"), text(o, "copy_ms"),
                            text(o, "mb_per_s"), o.error()));
            r.notes().forEach(ctx::note);
            if (report.dryRun()) { // a move the real one would refuse is failed here too, with its reason and exit 1
                ctx.out.println("dry run: nothing moved; " + io.tenantctl.Counted.of(report.count("planned"), "move") + " would run (freeze_ms is the prediction)"
                        + (report.count("failed") == 0 ? "" : ", " + report.count("failed") + " would be refused"));
                Summary.failures(ctx, lines.failed(), next);
                left.forEach(l -> ctx.log("error", l, Map.of(), "error: " + l));
                return report.count("failed") == 0 && left.isEmpty() ? 0 : 1;
            }
            ctx.out.println("run " + report.runId() + ": moved " + report.count("moved") + ", failed " + report.count("failed")
                    + (r.interrupted() ? ", not started " + report.count("not_started") + " (interrupted)" : ""));
            Summary.timings(ctx, report);
            Summary.failures(ctx, lines.failed(), next);
        }
        left.forEach(l -> ctx.log("error", l, Map.of(), "error: " + l)); // an error: the drain is not done (exit 1), said under -q too
        return Summary.exitCode(ctx, report, r.interrupted(), report.count("failed") == 0 && left.isEmpty() ? 0 : 1);
    }

    /**
     * A failed move's next step, by what failed it: the same move again is refused again when its target is full or
     * not active (another pool with room, or a new plan), its plan stale (a new plan) or its predicted freeze too long
     * (the move with a --max-freeze that covers it); a target that does not answer is looked at first (pools stats),
     * then moved into again; an org not movable as it is has none here (render asks orgs show's way on), unless it is
     * deleted (purged since the plan): nothing to move, a new plan. A move
     * that failed on its way (aborted, rolled back) may be tried again as it was; one that never started (its pool did
     * not answer the run's check) names that pool and a new plan; one aborted because its target was drained or disabled
     * while it copied, another pool with room (or a new plan); one aborted because its target or source stopped
     * answering, that pool looked at first (pools stats), then the move again; one rolled back by another process (its
     * worker's lease ran out: dead, or paused past it), that move's status, then the move again.
     */
    static io.tenantctl.NextStep nextStep(RunReport.Org f, String runId) {
        com.fasterxml.jackson.databind.JsonNode d = f.detail();
        if (io.tenantctl.ops.run.RunEngine.waitedPastBusyTimeout(f.error()) && runId != null) {
            // not started: another operation held the org (or its target's move slot) past --busy-timeout; its pool answered
            return io.tenantctl.NextStep.run("tenantctl rebalance apply --resume " + runId + " --wait", "the move of org " + f.orgId()
                    + " did not start: another operation held it past --busy-timeout, as its error says; the run's --resume "
                    + "moves it, --wait waiting for the holder however long");
        }
        if (!d.hasNonNull("to_pool") || !d.path("started").asBoolean(true)) { // failed before its move started (its pool did not answer the run's check)
            return io.tenantctl.NextStep.run("tenantctl pools stats " + f.poolId(), "the move of org " + f.orgId() + " did not start: its "
                    + "error says why; once pool " + f.poolId() + " answers: tenantctl rebalance plan, then tenantctl rebalance apply");
        }
        String to = d.get("to_pool").asText();
        String move = "tenantctl rebalance move " + f.orgId() + " --to ";
        if (d.hasNonNull("rolled_back_by") && d.hasNonNull("move_id")) { // its worker's lease ran out: another process rolled it back
            String id = d.get("move_id").asText();
            return io.tenantctl.NextStep.run("tenantctl rebalance status " + id, "move " + id + " was ended by another process and "
                    + "rolled back, its worker's lease having run out (org " + f.orgId() + " is on its source " + f.poolId()
                    + " as it was); to try again: " + move + to);
        }
        if (d.hasNonNull("silent_pool")) { // aborted and rolled back: its target or source stopped answering
            String pool = d.get("silent_pool").asText();
            return io.tenantctl.NextStep.run("tenantctl pools stats " + pool, "pool " + pool + " stopped answering during the move, which "
                    + "was rolled back; once it answers: " + move + to);
        }
        if (d.hasNonNull("target_now")) { // aborted, its target drained or disabled meanwhile: a move into it is refused now
            String why = "pool " + to + " is " + d.get("target_now").asText() + " now";
            return d.hasNonNull("room_on") ? io.tenantctl.NextStep.run(move + d.get("room_on").asText(), why + "; pool "
                    + d.get("room_on").asText() + " has room; or make a new plan: tenantctl rebalance plan")
                    : io.tenantctl.NextStep.run("tenantctl rebalance plan", why + "; a new plan places org " + f.orgId() + " on the pools that take orgs");
        }
        return switch (d.path("refused").asText("")) {
            case "org" -> d.hasNonNull("org_status") ? io.tenantctl.NextStep.run("tenantctl rebalance plan", "org " + f.orgId() + " is "
                    + d.get("org_status").asText() + ": there is nothing to move; a new plan leaves it out") : null;
            case "stale" -> io.tenantctl.NextStep.run("tenantctl rebalance plan", "the plan was made before org " + f.orgId() + " moved; "
                    + "then, to apply the new one: tenantctl rebalance apply");
            case "target" -> d.hasNonNull("room_on")
                    ? io.tenantctl.NextStep.run(move + d.get("room_on").asText(), "pool " + d.get("room_on").asText() + " has room; or make "
                    + "a new plan: tenantctl rebalance plan")
                    : io.tenantctl.NextStep.run("tenantctl pools list", noRoom(d, f.orgId()) + ": raise a capacity "
                    + "with 'pools set-capacity' or add a pool, then make a new plan with 'rebalance plan'");
            case "unreachable" -> io.tenantctl.NextStep.run("tenantctl pools stats " + to, "pool " + to + " does not answer; once it does: "
                    + move + to);
            case "freeze" -> {
                long seconds = (long) Math.ceil(d.path("predicted_freeze_ms").asLong() * 1.2 / 1000) + 1; // a margin: speeds vary
                yield io.tenantctl.NextStep.run(move + to + " --max-freeze " + seconds + "s" + grace(d), "its predicted freeze with a margin; "
                        + "writes to it stop that long");
            }
            default -> d.hasNonNull("overran_max_freeze_ms") // aborted and rolled back past --max-freeze: twice as long, past the grace
                    ? io.tenantctl.NextStep.run(move + to + " --max-freeze " + (long) Math.ceil(Math.max(2 * d.get("overran_max_freeze_ms").asLong(),
                    d.path("freeze_grace_ms").asLong() + 1000) / 1000.0) + "s" + grace(d), "its freeze ran past --max-freeze and was "
                    + "rolled back; writes to it stop up to that long")
                    : io.tenantctl.NextStep.run("tenantctl rebalance status", "then, to try again: " + move + to);
        };
    }

    /** "no active pool has room for org O", or, when pools with room did not answer, "no active pool that answers …" naming them. */
    private static String noRoom(com.fasterxml.jackson.databind.JsonNode d, String orgId) {
        if (!d.hasNonNull("room_silent") || d.get("room_silent").isEmpty()) {
            return "no active pool has room for org " + orgId;
        }
        List<String> silent = new java.util.ArrayList<>();
        d.get("room_silent").forEach(p -> silent.add(p.asText()));
        boolean one = silent.size() == 1;
        return "no active pool that answers has room for org " + orgId + " (" + String.join(", ", silent) + (one ? " has room but does not answer: "
                + "see 'tenantctl pools stats " + silent.get(0) + "')" : " have room but do not answer: see 'tenantctl pools stats')");
    }

    private static String grace(com.fasterxml.jackson.databind.JsonNode d) {
        long grace = d.path("freeze_grace_ms").asLong();
        return " --freeze-grace " + (grace % 1000 == 0 ? grace / 1000 + "s" : grace + "ms");
    }

    private static String text(RunReport.Org o, String field) {
        com.fasterxml.jackson.databind.JsonNode v = o.detail().get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

}
