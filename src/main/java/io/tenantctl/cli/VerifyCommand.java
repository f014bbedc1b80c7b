package io.tenantctl.cli;

import io.tenantctl.Counted;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Verify;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "verify", description = {"Check the fleet's health: each finding with a stable id and the command that fixes it.",
        "Per org: its database where the catalog says, its schema against its recorded manifest (--deep: its newest "
        + "backup read back). Fleet: pools reachable and within capacity, databases no pointer explains, orgs, moves and "
        + "runs stuck, backups fresh per tier (with a store). Exit 0 clean, 4 when a problem is found."},
        subcommands = {VerifyAckCommand.class, VerifyUnackCommand.class})
final class VerifyCommand implements Callable<Integer> {

    private final CliContext ctx;

    @ActsOn
    @Option(names = "--org", paramLabel = "ORG", split = ",", description = "Only these orgs (repeat or comma-separate).")
    List<String> orgs = new ArrayList<>();

    @ActsOn
    @Option(names = "--pool", paramLabel = "POOL", split = ",", description = "Only these pools (repeat or comma-separate).")
    List<String> pools = new ArrayList<>();

    @Option(names = "--deep", description = "Also read each org's newest backup back, checking every file's sha256 and count (once per backup).")
    boolean deep;

    @Option(names = "--stuck-after", paramLabel = "DURATION", converter = DurationConverter.class, description = {"An org provisioning or "
            + "moving, or left read_only by a delete that did not finish (or a move unfinished), this long with nobody holding it is "
            + "stuck (default 30m); one restoring with nobody holding it is stuck at once."})
    Duration stuckAfter;

    @Option(names = "--backups-max-age", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Newest backup older than this is stale (default: each tier's backup frequency).")
    Duration backupsMaxAge;

    @Option(names = "--retired-grace", paramLabel = "DURATION", converter = DurationConverter.class, description = {"How long a retained "
            + "copy (a move's source, a database a restore replaced) is informational, not a problem (default 7d)."})
    Duration retiredGrace;

    @Option(names = "--fix", description = {"Apply the safe fixes: create what an org's manifest lists and it lacks, mark stuck "
            + "provisioning orgs failed, cancel runs abandoned by their workers. Lists what it left for a human."})
    boolean fix;

    @Option(names = "--changed-only", description = "Skip orgs verified clean since their last change in the catalog.")
    boolean changedOnly;

    @Mixin
    FanoutOptions fanout;

    @Mixin
    DryRunOption dryRun;

    VerifyCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Metrics metrics = fanout.metrics(ctx, Verify.VERB);
        RunEngine.Drive drive = fanout.drive(ctx); // its limits checked before anything is read or recorded
        // a joined or resumed run checks its own orgs with its own --fix and --deep (and would fix for real under --dry-run)
        fanout.refuseWithExistingRun(ctx, Verify.VERB, "--org", "--pool", "--fix", "--deep", "--changed-only");
        // the thresholds a joined or resumed run was started with count unless typed here (a config file's do not);
        // without a store, backups are not checked: tenantctl takes none there
        // its findings are read back from the catalog as they are written (a fleet's are many): closed, the note of them goes
        Verify.Result r = new Verify(ctx.ops()).run(new Verify.Request(orgs, pools, deep, given("--stuck-after", stuckAfter),
                given("--backups-max-age", backupsMaxAge), given("--retired-grace", retiredGrace), fix, changedOnly, drive,
                ctx.resolveStoreUrl(), ctx.effectiveEnv(), dryRun.on, Stores.onLine(ctx)));
        try {
            // the file's figures by pool worked out by the catalog, no line per org held
            metrics.report(r.report(), fanout.metricsFile == null ? null : r.byPool().get());
            // the problems exit 4 counts, by kind: informational findings and acked ones are left out, as from r.problems()
            Map<String, Long> byKind = new java.util.TreeMap<>();
            for (String kind : r.countsByKind().keySet()) {
                long n = r.findings().count(t -> t.kind().equals(kind) && t.severity().equals(Verify.PROBLEM) && !t.state().equals("acked"));
                if (n > 0) {
                    byKind.put(kind, n);
                }
            }
            byKind.forEach((kind, n) -> metrics.gauge("findings", "Problems the last verify found, by kind (informational and acked findings left out)",
                    n, "kind", kind));
            metrics.gauge("problems", "Problems the last verify found (exit 4 when above 0)", r.problems());
            render(r);
            return Summary.exitCode(ctx, r.report(), r.interrupted(), r.problems() > 0 ? TenantCtl.EXIT_PROBLEMS : 0);
        } finally {
            forget(r);
        }
    }

    /**
     * Closes {@code r}: the catalog's note of which findings this verify saw goes, best-effort. A catalog lost once the
     * report was read back and printed fails that delete; the report stands (its exit code, stdout whole) and a later
     * verify deletes the note once it is a day old: said with -v only.
     */
    private void forget(Verify.Result r) {
        try {
            r.close();
        } catch (RuntimeException e) {
            if (ctx.verbose()) {
                ctx.warn("could not delete this verify's note of the findings it saw (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                        + "); a later verify deletes it once it is a day old");
            }
        }
    }

    /** A threshold as this invocation gives it: for a joined or resumed run only when typed, else null (the run's own). */
    private Duration given(String option, Duration value) {
        return fanout.control().existing() && !fanout.typed(option) ? null : value;
    }

    /**
     * A --join worker's line (the findings wait for the run's --resume): what it worked on, or, none and the run over (a
     * retried pod joining it late), that it is over; no --resume for a cancelled run, which refuses it (the cancel's line says why).
     */
    private static String joined(RunReport report) {
        String runId = report.runId();
        String resume = "'tenantctl verify --resume " + runId + "' adds the fleet checks and reports the findings";
        boolean over = !List.of("running", "interrupted").contains(report.statusText()); // an interrupted one goes on with a --join
        if (over && (report.workerCounts() == null || report.workerCounts().values().stream().allMatch(n -> n == 0))) {
            return "run " + runId + " is over (" + report.statusText() + ", " + Counted.of(report.total(), "org") + "): this worker "
                    + (report.total() == 1 ? "did not check it" : "checked none of them")
                    + (report.cancelled() ? "" : "; " + resume);
        }
        return "worked on run " + runId + " (" + Counted.of(report.total(), "org") + ", " + report.statusText() + ")"
                + (report.cancelled() ? "" : over ? ": " + resume : "; once its workers are done, " + resume);
    }

    private void render(Verify.Result r) {
        if (ctx.json()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("problems", r.problems());
            fields.put("findings", r.findings());
            fields.put("counts_by_kind", r.countsByKind());
            fields.put("dry_run", dryRun.on);
            fields.put("fixed", r.fixed()); // with --dry-run: what --fix would do
            fields.put("left_for_human", r.leftForHuman()); // acked ones not: a person accepted them, counted in acked
            fields.put("acked", r.findings().count(t -> t.state().equals("acked")));
            fields.put("skipped_unchanged", r.skipped());
            // orgs[] and failed[] written as they are read (each line's findings with it), a page of the run's items at a time
            Output.jsonSpooled(ctx.out, Summary.json(r.report(), r.orgLines(), r.failedLines(), r.interrupted(), fields,
                    f -> io.tenantctl.NextStep.run("tenantctl verify --org " + f.orgId())));
            return;
        }
        // a run with nothing to do (no org selected, each unchanged since its last clean verify) is over as it is
        // recorded: its creator made the fleet checks and reported, as verify without --detach does
        if (fanout.detach && Summary.detached(ctx, r.report(), io.tenantctl.Counted.of(r.report().total(), "org"))) {
            return;
        }
        if (fanout.join != null) {
            ctx.out.println(joined(r.report()));
            return;
        }
        // spooled, printed once whole: the findings are read back from the catalog as they are written, and a catalog lost
        // half-way must leave no part of the list on stdout, which would read as the whole of it (the error says what failed)
        Output.textSpooled(ctx.out, out -> renderText(r, out));
        Summary.timings(ctx, r.report());
    }

    /**
     * Why the orgs a verify could not check were not: "pool p2 did not answer" for those of a pool its finding says so of
     * (pool_unreachable), likewise a pool whose URI was refused or whose databases could not be listed, and for the rest
     * "N whose check failed" (each its check_failed finding above).
     */
    private static String notChecked(Verify.Result r) {
        Map<String, String> poolWhy = new java.util.HashMap<>();
        r.findings().forEach(f -> {
            if (f.orgId() == null && f.poolId() != null) {
                String why = switch (f.kind()) {
                    case "pool_unreachable" -> "did not answer";
                    case "pool_uri_invalid" -> "could not be connected to (URI refused)";
                    case "check_failed" -> "did not list databases";
                    default -> null;
                };
                if (why != null) {
                    poolWhy.putIfAbsent(f.poolId(), why);
                }
            }
        });
        Map<String, java.util.Set<String>> poolsByWhy = new java.util.TreeMap<>();
        int[] other = {0};
        r.failedLines().accept(o -> {
            String why = o.poolId() == null ? null : poolWhy.get(o.poolId());
            if (why == null) {
                other[0]++;
            } else {
                poolsByWhy.computeIfAbsent(why, k -> new java.util.TreeSet<>()).add(o.poolId());
            }
        });
        List<String> parts = new ArrayList<>();
        poolsByWhy.forEach((why, ps) -> parts.add((ps.size() == 1 ? "pool " : "pools ") + String.join(", ", ps) + " " + why));
        if (other[0] > 0) {
            parts.add(other[0] + " whose check failed: see check_failed");
        }
        return String.join("; ", parts);
    }

    /** The findings, what --fix did and left, their count by kind and the summary line, as people read them. */
    private void renderText(Verify.Result r, java.io.PrintWriter out) {
        r.findings().forEach(f -> {
            out.println(f.findingId() + "  " + f.state() + "  " + f.severity() + "  " + f.kind()
                    + (f.orgId() == null ? "" : "  org " + f.orgId()) + (f.poolId() == null ? "" : "  pool " + f.poolId()));
            out.println("    " + Output.printable(f.detail()));
            if (f.fixText() != null) {
                out.println("    fix: " + f.fixText());
            }
            if (f.ackedUntil() != null) {
                out.println("    acked until " + f.ackedUntil() + ": " + f.ackReason());
            }
        });
        r.fixed().forEach(line -> out.println((dryRun.on ? "dry run, not fixed: " : "fixed: ") + line));
        long acked = r.findings().count(t -> t.state().equals("acked"));
        if (fix) { // as -o json's left_for_human: each problem not acked by id, kind and org (their fix lines are above)
            long[] left = {0};
            r.findings().forEachLeft(f -> left[0]++);
            if (left[0] > 0) { // the line written as the problems are read again, none held
                out.print("left for a human (" + left[0] + "): ");
                String[] sep = {""};
                r.findings().forEachLeft(f -> {
                    out.print(sep[0] + f.findingId() + " " + f.kind() + (f.orgId() == null ? "" : " " + f.orgId()));
                    sep[0] = ", ";
                });
                out.println("   (each one's fix is above" + (acked > 0 ? "; " + acked + " acked, not listed" : "") + ")");
            }
        }
        if (r.findings().count() > 0) { // at a fleet's size the findings above are thousands of lines: what kinds they are, at a glance
            List<String> byKind = new java.util.ArrayList<>();
            r.countsByKind().forEach((kind, n) -> byKind.add(n + " " + kind));
            out.println("by kind: " + String.join(", ", byKind));
        }
        long news = r.findings().count(t -> t.state().equals("new") && t.severity().equals(Verify.PROBLEM));
        long info = r.findings().count(t -> t.severity().equals(Verify.INFO));
        // interrupted: the orgs it never reached are not verified, and the summary must not count them as if they were
        // nor the orgs it could not check (a pool that did not answer): failed, as -o json counts them
        int orgs = r.report().total();
        int notStarted = r.report().count("not_started");
        int failed = r.report().count("failed");
        int checked = orgs - notStarted - failed;
        out.println("verified " + (r.interrupted() ? checked + " of " + Counted.of(orgs, "org") : Counted.of(checked, "org"))
                + (failed > 0 ? ", " + failed + " not checked (" + notChecked(r) + ")" : "")
                + (r.interrupted() ? ", " + notStarted + " not started (interrupted)" : "") + (r.skipped() > 0 ? " (" + r.skipped()
                + " unchanged since " + Counted.their(r.skipped()) + " last clean verify, skipped)" : "") + ": " + (r.problems() == 0 ? "clean" : Counted.of(r.problems(),
                "problem") + ", " + news + " new") + (info > 0 ? "; " + info + " informational" : "") + (acked > 0 ? "; " + acked + " acked" : ""));
    }
}
