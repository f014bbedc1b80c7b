package io.tenantctl.cli;

import io.tenantctl.NextStep;
import io.tenantctl.cli.render.Output;
import io.tenantctl.fanout.Timings;
import io.tenantctl.ops.run.RunReport;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The per-org timing lines every fan-out verb ends with. */
final class Summary {

    private Summary() {
    }

    /** A failed org for the summary: its id, the pool it was on (or null), why, and the command that gets it moving again. */
    record Failure(String orgId, String poolId, String error, io.tenantctl.NextStep nextStep) {
    }

    /**
     * The -o json document of every fan-out verb: the same header first —
     * {@code run_id, verb, status, counts{outcome: n}, p50_ms, p95_ms, max_ms, orgs[{org_id, pool_id, outcome, attempts,
     * ms, error, …the verb's detail}]} — then the verb's own fields ({@code verbFields}: e.g. provisioned, schema_hash),
     * {@code failed} with each failure's next step ({@code nextStep}: {@code next_step}, the command alone, and
     * {@code next_note}), {@code interrupted}, and for a run interrupted or aborted the --resume that goes on
     * ({@code next}; null for one cancelled meanwhile, which cannot be resumed, its {@code next_note} saying so). A dry run has no run id
     * and the status "dry_run".
     */
    static Map<String, Object> json(RunReport report, boolean interrupted, Map<String, Object> verbFields,
                                    java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> nextStep) {
        return json(report, report.orgs()::forEach, json(failures(report, nextStep)), interrupted, verbFields);
    }

    /**
     * The next step of a dry run's failed org as it is shown: never the real, writing run the dry run only previews — pasted,
     * or run by a tool that follows next_step, it would write to the org — but that command with --dry-run, the dry run of
     * it again ("once POOL answers" for an org its pool did not answer for). Every fan-out verb's failures go through here.
     */
    static java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> shown(RunReport report,
                                                                                   java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> nextStep) {
        if (!report.dryRun()) {
            return nextStep;
        }
        // the verb's own run; a rebalance's also the single move its failed moves are offered
        List<String> writes = report.verb().equals("rebalance") ? List.of(io.tenantctl.ops.Runs.command(report.verb()), "tenantctl rebalance move")
                : List.of(io.tenantctl.ops.Runs.command(report.verb()));
        return f -> {
            io.tenantctl.NextStep step = nextStep.apply(f);
            String command = step == null ? null : step.command();
            if (command == null || writes.stream().noneMatch(w -> (command + " ").startsWith(w + " ")) || (command + " ").contains(" --dry-run ")) {
                return step;
            }
            String note = poolSilence(f) ? "once " + f.poolId() + " answers" : step.note();
            return note == null ? io.tenantctl.NextStep.run(command + " --dry-run") : io.tenantctl.NextStep.run(command + " --dry-run", note);
        };
    }

    /**
     * As {@link #json(RunReport, boolean, Map, java.util.function.Function)}, for a report that may hold no line
     * ({@link RunReport#holdsLines}): {@code orgs[]} is what {@code lines} hands over and {@code failed[]} what
     * {@code failedLines} does, each written as it comes (a fleet's lines read back from the catalog a page at a time).
     */
    static Map<String, Object> json(RunReport report, java.util.function.Consumer<java.util.function.Consumer<RunReport.Org>> lines,
                                    java.util.function.Consumer<java.util.function.Consumer<RunReport.Org>> failedLines, boolean interrupted,
                                    Map<String, Object> verbFields, java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> nextStep) {
        java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> step = shown(report, nextStep); // made once, not per failed org
        return json(report, lines, io.tenantctl.ops.StreamedJsonArray.<Map<String, Object>>of(each -> failedLines.accept(o -> each.accept(
                failed(new Failure(o.orgId(), o.poolId(), o.error(), step.apply(o)))))), interrupted, verbFields);
    }

    private static Map<String, Object> json(RunReport report, java.util.function.Consumer<java.util.function.Consumer<RunReport.Org>> lines,
                                            Object failed, boolean interrupted, Map<String, Object> verbFields) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("run_id", report.runId());
        doc.put("verb", report.verb());
        doc.put("status", report.dryRun() ? "dry_run" : report.statusText());
        doc.put("counts", new java.util.TreeMap<>(report.counts()));
        doc.put("p50_ms", report.timings().p50());
        doc.put("p95_ms", report.timings().p95());
        doc.put("max_ms", report.timings().max());
        doc.put("orgs", new OrgLines(lines));
        if (report.reason() != null) {
            doc.put("reason", report.reason());
        }
        doc.put("dry_run", report.dryRun());
        doc.putAll(verbFields);
        doc.put("failed", failed);
        doc.put("interrupted", interrupted);
        if (!report.dryRun() && report.cancelled() && interrupted) {
            // a cancelled run has no --resume (it is refused): what its stderr line says, as runs show names no step for it
            doc.put("next", null);
            doc.put("next_note", undone(report) > 0 ? "run " + report.runId() + " was cancelled (no --resume); " + notDone(report) : null);
        } else if (!report.dryRun() && (interrupted || report.aborted() != null)) {
            // what the table's "Resume with:" line says: a pipeline reading -o json gets it too
            doc.put("next", resume(report));
        }
        return doc;
    }

    /** A failure as -o json's {@code failed[]} lists it. */
    private static Map<String, Object> failed(Failure f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("org_id", f.orgId());
        m.put("pool_id", f.poolId());
        m.put("error", String.valueOf(f.error()));
        m.put("next_step", f.nextStep() == null ? null : f.nextStep().command());
        m.put("next_note", f.nextStep() == null ? null : f.nextStep().note());
        return m;
    }

    /** The --resume that goes on with a run an interrupt or an abort stopped: -o json's {@code next}, the table's "Resume with:". */
    static String resume(RunReport report) {
        return io.tenantctl.ops.Runs.command(report.verb()) + " --resume " + report.runId();
    }

    /**
     * A --detach'ed run's line, 'run R created with N THINGS; start workers with: tenantctl VERB --join R', printed when
     * the run waits for its workers (true); false, printing nothing, for a run with nothing to do (every org done
     * already, none selected, no move planned), over as it was recorded: no worker has anything to do on it, and the
     * caller says it as its verb without --detach does. A dry run records no run: false too.
     */
    static boolean detached(CliContext ctx, RunReport report, String created) {
        if (!waitsForWorkers(report)) {
            return false;
        }
        ctx.out.println("run " + report.runId() + " created with " + created + "; start workers with: "
                + io.tenantctl.ops.Runs.command(report.verb()) + " --join " + report.runId());
        return true;
    }

    /**
     * Whether a --detach'ed run's {@code report} is of a run left to its workers (still running): not one over as it was
     * recorded (nothing to do, or done by workers before the detach reported), which is said, and measured, as the verb
     * without --detach says it. A dry run records no run: false.
     */
    static boolean waitsForWorkers(RunReport report) {
        return !report.dryRun() && "running".equals(report.statusText());
    }

    /**
     * The command that does a failed org again in a joined or resumed run: the run's {@link #resume}, which redoes it as
     * the run was started; for a run cancelled meanwhile, which has none (refused, as {@link #exitCode} and runs show go
     * by), {@code alone}: what works on the org by itself.
     */
    static String again(RunReport report, java.util.function.Supplier<String> alone) {
        return report.cancelled() ? alone.get() : resume(report);
    }

    /** Failures as -o json's {@code failed} gives them: {@code org_id, pool_id, error, next_step, next_note} each. */
    static List<Map<String, Object>> json(List<Failure> failed) {
        return failed.stream().map(Summary::failed).toList();
    }

    /** The report's failed orgs, each with the command that gets it moving again. */
    static List<Failure> failures(RunReport report, java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> nextStep) {
        java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> step = shown(report, nextStep);
        return report.failed().stream().map(f -> new Failure(f.orgId(), f.poolId(), f.error(), step.apply(f))).toList();
    }

    /** As {@link #failures(RunReport, java.util.function.Function)}, for the failed orgs' lines {@code failedLines} hands over (read from a run's items). */
    static List<Failure> failures(java.util.function.Consumer<java.util.function.Consumer<RunReport.Org>> failedLines,
                                  java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> nextStep) {
        List<Failure> out = new java.util.ArrayList<>();
        failedLines.accept(f -> out.add(new Failure(f.orgId(), f.poolId(), f.error(), nextStep.apply(f))));
        return out;
    }

    /** An org's ATTEMPTS cell: none ("-") for an org a dry run only planned, which attempted nothing. */
    static String attempts(RunReport.Org o) {
        return o.outcome().equals("planned") ? null : String.valueOf(o.attempts());
    }

    /** An org's MS cell: no time ("-") for an org a dry run only planned, which worked on nothing. */
    static String ms(RunReport.Org o) {
        return o.outcome().equals("planned") ? null : String.valueOf(o.ms());
    }

    /**
     * What this worker did itself: "this worker did N of the run's M orgs: OUTCOME n, …" — its own outcomes, which add up
     * to N, out of the run's M, whose counts (every worker's) its other line gives. For a worker that joined or resumed the
     * run ({@code shared}), or whose run's outcomes are not all its own (other workers did some: {@link #othersDidSome});
     * null otherwise (one worker did the whole run: the run's line says it), and for a report that is no worker's.
     */
    static String thisWorker(RunReport report, List<String> outcomes, boolean shared) {
        return thisWorker(report, null, outcomes, shared);
    }

    /** As {@link #thisWorker(RunReport, List, boolean)}, for a report without lines whose orgs' lines {@code lines} reads (or null). */
    static String thisWorker(RunReport report, io.tenantctl.ops.run.ReportLines lines, List<String> outcomes, boolean shared) {
        if (report.workerCounts() == null || !shared && !othersDidSome(report, lines, outcomes)) {
            return null;
        }
        return "this worker did " + outcomes.stream().mapToInt(report::byThisWorker).sum() + " of the run's " + io.tenantctl.Counted.of(report.total(), "org") + ": "
                + String.join(", ", outcomes.stream().map(o -> o + " " + report.byThisWorker(o)).toList())
                + " (the run's counts above are every worker's)";
    }

    /**
     * Whether other workers took orgs of the run to an outcome: the orgs some worker claimed (attempts above 0: those the
     * run ended as it selected them, an org already active, one failed for want of room, were never claimed) are more
     * than this worker's own. A report without lines: its outcomes are not all this worker's, skipped left out (the run
     * skips some as it selects them).
     */
    private static boolean othersDidSome(RunReport report, io.tenantctl.ops.run.ReportLines lines, List<String> outcomes) {
        if (report.holdsLines() || lines != null) { // a report without lines: its orgs' lines read again, a page at a time
            long[] claimed = {0};
            java.util.function.Consumer<RunReport.Org> count = o -> claimed[0] += o.attempts() > 0 && outcomes.contains(o.outcome()) ? 1 : 0;
            if (report.holdsLines()) {
                report.orgs().forEach(count);
            } else {
                lines.forEach(count);
            }
            return claimed[0] > outcomes.stream().mapToInt(report::byThisWorker).sum();
        }
        return !outcomes.stream().filter(o -> !o.equals("skipped")).allMatch(o -> report.byThisWorker(o) == report.count(o));
    }

    /**
     * -o json's {@code worker}: what this worker did itself, {@code orgs} and each of {@code outcomes} ({@link #thisWorker});
     * null for a report that is no worker's (a dry run).
     */
    static Map<String, Object> thisWorker(RunReport report, List<String> outcomes) {
        if (report.workerCounts() == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("orgs", outcomes.stream().mapToInt(report::byThisWorker).sum());
        outcomes.forEach(o -> m.put(o, report.byThisWorker(o)));
        return m;
    }

    /** The common table summary's "per org" line, from the report's timings and its three slowest orgs. */
    static void timings(CliContext ctx, RunReport report) {
        Timings t = report.timings();
        if (t.count() == 0) {
            return;
        }
        List<String> slowest = report.slowest(3).stream().map(o -> o.orgId() + " " + o.ms() + " ms").toList();
        ctx.out.println("per org: " + t + (slowest.isEmpty() ? "" : "; slowest: " + String.join(", ", slowest)));
    }

    /**
     * The seed investigation's catalog-pressure alarm after schema work (provision, migrate-all): a warning when the
     * median time of the orgs whose work was done — outcome {@code done}, e.g. "provisioned" — passes 500 ms. Failed
     * orgs are left out (a dead pool's connect timeouts say nothing about any PostgreSQL catalog), and so are unchanged
     * ones, which did no schema work: the succeeded items, as {@code pools stats} counts them. A worker that did none of
     * that work itself (a --resume or --join that found every org done, or failed its own) says nothing: the median is
     * other workers', of work it did not watch.
     */
    static void catalogAlarm(CliContext ctx, RunReport report, io.tenantctl.ops.run.ReportLines lines, String done) {
        if (report.workerCounts() != null && report.byThisWorker(done) == 0) {
            return;
        }
        Timings t = lines.timingsOf().apply(done); // by the catalog, no line held
        if (t.slow()) {
            ctx.warn("median " + t.p50() + " ms per " + done + " org is above " + Timings.SLOW_MEDIAN_MILLIS
                    + " ms: check the pools' PostgreSQL for catalog pressure (n_dead_tup, buffers_backend, documentdb_api_catalog.collections)");
        }
    }

    /**
     * The orgs' lines, each written as it is serialised — its header fields, then the verb's detail (a detail field of
     * the same name takes the header field's place) — so that a fleet of 50,000 is never held as maps at once; {@code orgs}
     * hands them over one at a time (a verb may read each one's detail back from the catalog as it goes).
     */
    record OrgLines(java.util.function.Consumer<java.util.function.Consumer<RunReport.Org>> orgs)
            implements com.fasterxml.jackson.databind.JsonSerializable {
        private static final List<String> HEADER = List.of("org_id", "pool_id", "outcome", "attempts", "ms", "error");

        @Override
        public void serialize(com.fasterxml.jackson.core.JsonGenerator g, com.fasterxml.jackson.databind.SerializerProvider p)
                throws java.io.IOException {
            new io.tenantctl.ops.StreamedJsonArray<>(orgs, OrgLines::line).serialize(g, p);
        }

        private static void line(RunReport.Org o, com.fasterxml.jackson.core.JsonGenerator g, com.fasterxml.jackson.databind.SerializerProvider p)
                throws java.io.IOException {
            com.fasterxml.jackson.databind.JsonNode detail = o.detail();
            Object[] header = {o.orgId(), o.poolId(), o.outcome(), o.attempts(), o.ms(), o.error()};
            g.writeStartObject();
            for (int i = 0; i < HEADER.size(); i++) {
                g.writeFieldName(HEADER.get(i));
                if (detail.has(HEADER.get(i))) {
                    g.writeTree(detail.get(HEADER.get(i)));
                } else {
                    p.defaultSerializeValue(header[i], g);
                }
            }
            for (var it = detail.fields(); it.hasNext(); ) {
                var f = it.next();
                if (!HEADER.contains(f.getKey())) {
                    g.writeFieldName(f.getKey());
                    g.writeTree(f.getValue());
                }
            }
            g.writeEndObject();
        }

        @Override
        public void serializeWithType(com.fasterxml.jackson.core.JsonGenerator g, com.fasterxml.jackson.databind.SerializerProvider p,
                                      com.fasterxml.jackson.databind.jsontype.TypeSerializer t) throws java.io.IOException {
            serialize(g, p);
        }
    }

    /**
     * A fan-out run's exit code as this worker saw it: 130 when Ctrl-C stopped it (its --resume named, or, its run
     * cancelled meanwhile, which has none, the cancel's line below); 1 when the run was cancelled with
     * orgs left undone — never done, and a pipeline (or a Job's worker that joins it) must not go on as if they were —
     * said in one line on stderr (orgs in flight on other workers are theirs to finish, not undone); else {@code done},
     * the verb's own code for a run that ran its course.
     */
    static int exitCode(CliContext ctx, RunReport report, boolean interrupted, int done) {
        if (interrupted && !report.cancelled()) {
            resumeWith(ctx, report);
            return TenantCtl.EXIT_INTERRUPTED;
        }
        if (report.cancelled()) {
            // its orgs left undone take a new run, Ctrl-C or not: a cancelled run's --resume is refused
            int undone = undone(report);
            String inFlight = report.inFlight() == 0 ? "" : "; " + report.inFlight() + " still in flight on other workers finish there "
                    + "('tenantctl runs show " + report.runId() + "')";
            String line = "cancelled: run " + report.runId() + " was cancelled" + (report.reason() == null ? "" : " (" + report.reason() + ")")
                    + (undone > 0 ? "; " + notDone(report) : "; no org of it was left undone")
                    + inFlight;
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("run_id", report.runId());
            fields.put("not_started", undone);
            fields.put("in_flight", report.inFlight());
            ctx.log(undone > 0 ? "error" : "warn", line, fields, line);
            ctx.err.flush();
            // every org started before the cancel: the run's course, not a cancel, decides
            return interrupted ? TenantCtl.EXIT_INTERRUPTED : undone > 0 ? 1 : done;
        }
        return done;
    }

    /** What a cancelled run's orgs left undone take (its --resume is refused): in {@link #exitCode}'s line and -o json's {@code next_note}. */
    private static String notDone(RunReport report) {
        return undone(report) + " of its orgs " + io.tenantctl.Counted.were(undone(report)) + " not done: start a new run for "
                + io.tenantctl.Counted.them(undone(report));
    }

    /** A cancelled run's orgs never done: not started, less those in flight on other workers, which finish there. */
    private static int undone(RunReport report) {
        return report.count("not_started") - report.inFlight();
    }

    /**
     * The last line of every interrupted fan-out run's text output, on stderr: how many orgs it left not started and the
     * --resume that goes on ({@link #resume}, as -o json's {@code next}, which carries it there instead). A dry run
     * records no run: {@link #dryRunInterrupted} says what it did not look at.
     */
    private static void resumeWith(CliContext ctx, RunReport report) {
        if (ctx.json() || report.dryRun()) {
            return;
        }
        String line = "interrupted: " + io.tenantctl.Counted.of(report.count("not_started"), "org") + " not started. Resume with: " + resume(report);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("run_id", report.runId());
        fields.put("not_started", report.count("not_started"));
        fields.put("next", resume(report));
        ctx.log("warn", line, fields, line);
        ctx.err.flush();
    }

    /** A dry run stopped by Ctrl-C: on stderr, how many orgs it never looked at (its table lists them as not_started). */
    static void dryRunInterrupted(CliContext ctx, RunReport report, boolean interrupted) {
        if (interrupted) {
            int n = report.count("not_started");
            ctx.err.println("interrupted: " + io.tenantctl.Counted.of(n, "org") + (n == 1 ? " was" : " were") + " not looked at; nothing was written");
            ctx.err.flush();
        }
    }

    /** One "failed: org on pool: why" line per failure, on stderr. */
    static void failures(CliContext ctx, List<Failure> failed) {
        for (Failure f : failed) {
            String line = "failed: " + f.orgId() + (f.poolId() == null ? "" : " on " + f.poolId()) + ": " + f.error();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("org_id", f.orgId());
            fields.put("pool_id", f.poolId());
            fields.put("error", f.error());
            fields.put("next_step", f.nextStep() == null ? null : f.nextStep().command());
            fields.put("next_note", f.nextStep() == null ? null : f.nextStep().note());
            ctx.log("error", line, fields, f.nextStep() == null ? line : line + System.lineSeparator() + "  next: " + f.nextStep().text());
        }
        ctx.err.flush();
    }

    /** How many failed orgs are listed one by one, each with its next step, before the rest are only counted. */
    static final int LISTED = 20;

    /**
     * As {@link #failures(CliContext, List)}, for the failed orgs' lines {@code failedLines} hands over one at a time (read
     * from a run's items), at most {@link #LISTED} of them, the rest counted in one line. With the run's {@code report}
     * (null: none, as for a rebalance's moves), orgs failed because their pool did not answer are said once per pool
     * ({@link #silentPools}) rather than a line pair each: 500 orgs on a dead pool are not 1,000 lines of stderr.
     */
    static void failures(CliContext ctx, RunReport report, java.util.function.Consumer<java.util.function.Consumer<RunReport.Org>> failedLines,
                         java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> step) {
        java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> nextStep = report == null ? step : shown(report, step);
        Map<String, List<RunReport.Org>> silent = new LinkedHashMap<>(); // pool -> its first orgs failed for its silence
        Map<String, Integer> silentCount = new LinkedHashMap<>();
        int[] listed = {0, 0}; // listed, left unlisted
        java.util.function.Consumer<RunReport.Org> list = f -> {
            if (listed[0]++ < LISTED) {
                failures(ctx, List.of(new Failure(f.orgId(), f.poolId(), f.error(), nextStep.apply(f))));
            } else {
                listed[1]++;
            }
        };
        failedLines.accept(f -> {
            if (report != null && poolSilence(f)) {
                List<RunReport.Org> first = silent.computeIfAbsent(f.poolId(), k -> new java.util.ArrayList<>());
                if (first.size() < 4) { // the first three named, and a fourth when it is the last
                    first.add(f);
                }
                silentCount.merge(f.poolId(), 1, Integer::sum);
            } else {
                list.accept(f);
            }
        });
        silent.entrySet().stream().filter(e -> silentCount.get(e.getKey()) == 1).forEach(e -> list.accept(e.getValue().get(0)));
        silent.keySet().removeIf(pool -> silentCount.get(pool) == 1);
        silentPools(ctx, report, silent, silentCount, nextStep);
        if (listed[1] > 0) {
            String line = "… and " + listed[1] + " more failed " + (listed[1] == 1 ? "org" : "orgs") + " not listed here: "
                    + (report == null || report.dryRun() ? "-o json" : "'tenantctl runs show " + report.runId() + "' or -o json")
                    + " lists each one with its error and next step";
            ctx.log("error", line, Map.of("not_listed", listed[1]), line);
        }
        ctx.err.flush();
    }

    /** As {@link #failures(CliContext, RunReport, java.util.function.Consumer, java.util.function.Function)}, no org said by its pool. */
    static void failures(CliContext ctx, java.util.function.Consumer<java.util.function.Consumer<RunReport.Org>> failedLines,
                         java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> nextStep) {
        failures(ctx, null, failedLines, nextStep);
    }

    /**
     * Whether {@code f} failed because its pool did not answer: the run found it silent before the org's work ("pool P (…)
     * is unreachable: …"), or it stopped answering during it ("pool P does not answer: … 'tenantctl pools stats P'"), as
     * its item recorded ({@link RunReport.Mark#POOL_SILENT}), not as its message is worded.
     */
    private static boolean poolSilence(RunReport.Org f) {
        return f.poolId() != null && f.marked(RunReport.Mark.POOL_SILENT);
    }

    /**
     * The orgs failed because their pool did not answer, two or more on a pool: one line per pool — how many, why, which
     * (the first three) and the pool to look at first — then one next step for them all: the run's --resume (its --join
     * while it still runs), which does them again once the pools answer; for a dry run, this command again; for a run
     * cancelled meanwhile (no --resume), the first org's own step, as each one's in -o json.
     */
    private static void silentPools(CliContext ctx, RunReport report, Map<String, List<RunReport.Org>> silent, Map<String, Integer> count,
                                    java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> nextStep) {
        if (silent.isEmpty()) {
            return;
        }
        int orgs = 0;
        for (Map.Entry<String, List<RunReport.Org>> e : silent.entrySet()) {
            String pool = e.getKey();
            int n = count.get(pool);
            orgs += n;
            String line = "failed: " + io.tenantctl.Counted.of(n, "org") + " on " + pool + ", which did not answer ("
                    + io.tenantctl.Counted.firstOf(e.getValue().stream().map(RunReport.Org::orgId).toList(), n, 3, ", ", "") + "): " + e.getValue().get(0).error()
                    + " — check the pool first: tenantctl pools stats " + pool;
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("pool_id", pool);
            fields.put("orgs", n);
            fields.put("error", e.getValue().get(0).error());
            fields.put("next_step", "tenantctl pools stats " + pool);
            ctx.log("error", line, fields, line);
        }
        String pools = String.join(", ", silent.keySet()) + (silent.size() == 1 ? " answers" : " answer");
        io.tenantctl.NextStep next = report.dryRun() ? io.tenantctl.NextStep.note("once " + pools + ", run this dry run again")
                : report.cancelled() ? nextStep.apply(silent.values().iterator().next().get(0))
                : io.tenantctl.NextStep.run(io.tenantctl.ops.Runs.command(report.verb()) + ("running".equals(report.statusText()) ? " --join "
                : " --resume ") + report.runId(), "once " + pools + ": it does these " + io.tenantctl.Counted.of(orgs, "org") + " again");
        if (next != null) {
            String line = "  next: " + next.text() + (report.cancelled() && !report.dryRun() ? "   (likewise for each of these " + io.tenantctl.Counted.of(orgs, "org")
                    + ": -o json names each one's next step)" : "");
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("pools", List.copyOf(silent.keySet()));
            fields.put("orgs", orgs);
            fields.put("next_step", next.command());
            fields.put("next_note", next.note());
            ctx.log("error", line.trim(), fields, line);
        }
    }

    /**
     * A run's lines as a table: held in memory ({@link io.tenantctl.ops.run.ReportLines#heldUpTo}, a run of a page of orgs
     * or fewer, printed as ever: no temporary file needed), else spooled as they are read a page at a time.
     */
    static void table(CliContext ctx, io.tenantctl.ops.run.ReportLines lines, List<String> headers,
                      java.util.function.Function<RunReport.Org, List<String>> row) {
        if (lines.held()) {
            List<List<String>> rows = new java.util.ArrayList<>();
            lines.forEach(o -> rows.add(row.apply(o)));
            Output.table(ctx.out, headers, rows);
        } else {
            Output.spooledTable(ctx.out, headers, each -> lines.forEach(o -> each.accept(row.apply(o))));
        }
    }

    /**
     * A run's -o json document ({@link #json}), printed once whole: built in memory for lines held there (a page of orgs or
     * fewer), else spooled. Either way a failure as it is built (a failed org's next step read from a catalog lost) prints
     * no half document, and is said as itself.
     */
    static void print(CliContext ctx, io.tenantctl.ops.run.ReportLines lines, Map<String, Object> doc) {
        if (lines.held()) {
            Output.jsonInMemory(ctx.out, doc);
        } else {
            Output.jsonSpooled(ctx.out, doc);
        }
    }

    /** " --schema FILE" for a next step when this invocation was given one (quoted for a shell when it needs it), else "". */
    static String schemaOption(java.nio.file.Path schema) {
        return schema == null ? "" : " --schema " + NextStep.shellWord(schema.toString());
    }
}
