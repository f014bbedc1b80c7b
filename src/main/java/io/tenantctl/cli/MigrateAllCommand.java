package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.TenantctlException;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.MigrateAll;
import io.tenantctl.ops.run.MaxFailures;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.schema.SchemaManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "migrate-all", description = {"Roll the schema manifest out to every org whose recorded schema differs.",
        "Resumable (--resume), shareable by several workers (--join), one at a time (advisory lock)."})
final class MigrateAllCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Option(names = "--schema", paramLabel = "FILE", description = "Manifest to roll out (default: the built-in LibreChat model).")
    Path schema;

    @Option(names = "--schema-hash", paramLabel = "SHA256", description = "Roll out the manifest the catalog recorded under this hash "
            + "instead of a file (every run keeps its manifest there; 'runs show RUN' names it).")
    String schemaHash;

    @ActsOn
    @Option(names = "--pool", paramLabel = "POOL", split = ",", description = "Only orgs on this pool (repeat or comma-separate).")
    List<String> pools = new ArrayList<>();

    @ActsOn
    @Option(names = "--org", paramLabel = "ORG", split = ",", description = "Only this org (repeat or comma-separate).")
    List<String> orgs = new ArrayList<>();

    @ActsOn
    @Option(names = "--tier", paramLabel = "TIER", description = "Only orgs of this tier.")
    String tier;

    @Option(names = "--canary", paramLabel = "N", defaultValue = "0", description = "Migrate N orgs spread across pools first; stop if any fails.")
    int canary;

    @Option(names = "--max-failures", paramLabel = "N|P%", converter = MaxFailuresConverter.class, description = "Abort the remaining orgs once more than N (or P% of selected) orgs failed.")
    MaxFailures maxFailures;

    @Destroys
    @Option(names = "--replace-conflicting", description = "Drop and recreate same-name indexes whose definition differs (data untouched).")
    boolean replaceConflicting;

    @Destroys
    @Option(names = "--prune", description = "Drop indexes the manifest does not list (in the collections inspected).")
    boolean prune;

    @Destroys
    @Option(names = "--allow-expiry", description = {"Build TTL indexes that delete existing documents at once (refused otherwise, "
            + "naming how many: migrate-all never deletes documents unasked)."})
    boolean allowExpiry;

    @ActsOn // every selected org, also those up to date: what it acts on, never a setting
    @Option(names = "--force", description = "Inspect every selected org with listIndexes, even when its recorded hash matches (finds drift).")
    boolean force;

    @Option(names = "--include-failed", description = {"Also take orgs whose provision failed (applying the manifest finishes them). "
            + "Orgs named with --org are taken whatever their status allows."})
    boolean includeFailed;

    @Mixin
    DryRunOption dryRun;



    @Mixin
    FanoutOptions fanout;

    MigrateAllCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Metrics metrics = fanout.metrics(ctx, "migrate-all");
        RunEngine.Drive drive = fanout.drive(ctx); // its limits checked before anything is read or recorded
        RunControl control = fanout.control();
        fanout.refuseWithExistingRun(ctx, "migrate-all", "--org", "--pool", "--tier", "--canary", "--max-failures", "--replace-conflicting", "--prune",
                "--allow-expiry", "--force", "--include-failed");
        if (control.existing() && !fanout.typed("--schema")) {
            schema = null; // a config file's schema= is not the run's: the run keeps its own
        }
        if (control.existing() && !fanout.typed("--schema-hash")) {
            schemaHash = null;
        }
        Manifests.oneOf(schema, schemaHash);
        if (canary < 0) {
            throw TenantctlException.usage("--canary must not be negative");
        }
        SchemaManifest manifest = schema != null || schemaHash != null || !control.existing() ? Manifests.given(ctx, schema, schemaHash) : null;
        MigrateAll.Result r = new MigrateAll(ctx.ops()).run(new MigrateAll.Request(manifest,
                new MigrateAll.Selector(pools, orgs, tier, force, includeFailed), new MigrateAll.Apply(replaceConflicting, prune, allowExpiry),
                new MigrateAll.Staging(canary, maxFailures), drive, dryRun.on, fanout.waitForBusy));
        // a run of a page of orgs or fewer: its lines read into memory once, its output printed as ever (no temporary file needed)
        r = new MigrateAll.Result(r.report(), r.interrupted(), r.schemaHash(), r.selected(), r.unchanged(), r.apply(), r.force(),
                r.lines().heldUpTo(io.tenantctl.ops.run.ReportLines.PAGE, r.report().total()));
        RunReport report = r.report();
        metrics.report(report, r.lines());
        if (r.apply().prune() && !r.force() && r.unchanged() > 0 && !control.existing()) {
            // an org already on this manifest is not looked at: --prune alone then dropped nothing, and said nothing of why
            ctx.warn(io.tenantctl.Counted.of(r.unchanged(), "org") + (r.unchanged() == 1 ? " already has manifest " : " already have manifest ")
                    + r.schemaHash().substring(0, 12) + (r.unchanged() == 1 ? " and is not " : " and are not ") + "inspected, so --prune drops nothing there: add --force to inspect " + io.tenantctl.Counted.them(r.unchanged()) + " (and --dry-run first to see what it drops)");
        }
        if (ctx.json()) {
            Summary.print(ctx, r.lines(), json(r)); // a larger run's orgs read from its items as it is written: printed once whole
        } else if (report.dryRun()) {
            renderPlan(r);
        } else {
            renderRun(r);
        }
        return Summary.exitCode(ctx, report, r.interrupted(), report.count("failed") == 0 && report.aborted() == null ? 0 : 1);
    }

    private Map<String, Object> json(MigrateAll.Result r) {
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("schema_hash", r.schemaHash());
        counts.put("selected", r.selected());
        counts.put("migrated", r.report().count("migrated"));
        counts.put("unchanged", r.unchanged());
        counts.put("skipped", r.report().count("skipped"));
        counts.put("run_orgs", r.report().total()); // the run's outcomes (counts{}) add up to these
        counts.put("up_to_date_not_selected", r.unchanged() - r.report().count("unchanged"));
        counts.put("worker", Summary.thisWorker(r.report(), OUTCOMES));
        Map<String, Object> doc = Summary.json(r.report(), r.lines()::forEach, r.lines().failed(), r.interrupted(), counts, f -> nextStep(r, f));
        doc.put("skipped_orgs", io.tenantctl.ops.StreamedJsonArray.<Map<String, Object>>of(each -> skipped(r, f -> each.accept(
                Output.ordered("org_id", f.orgId(), "reason", String.valueOf(f.error()))))));
        doc.put("aborted", r.report().aborted());
        if (!r.report().dryRun() && r.report().aborted() != null && !r.interrupted()) {
            io.tenantctl.NextStep goOn = goOn(r); // --resume alone would fail its expiry-refused orgs again
            doc.put("next", goOn.command());
            doc.put("next_note", goOn.note());
        }
        if (r.report().dryRun()) {
            doc.put("totals", totals(r));
            doc.put("would_abort", wouldAbort(r));
        }
        return doc;
    }

    /**
     * What a dry run whose orgs would fail past --max-failures says of the run it previews (null when none would): the
     * run does not migrate every org the plan lists, it aborts at the failure past the budget and leaves the rest not started.
     */
    private String wouldAbort(MigrateAll.Result r) {
        int failing = r.report().count("failed");
        if (maxFailures == null || failing <= maxFailures.allowed(r.selected())) {
            return null;
        }
        return io.tenantctl.Counted.of(failing, "org") + " would fail, more than --max-failures " + maxFailures.spec() + " allows (" + maxFailures.allowed(r.selected())
                + " of the " + r.selected() + " selected): the run would abort at the failure past that, and the orgs not started by then "
                + "would be left as they are, not migrated as planned here";
    }

    /** A run's outcomes as its summary counts them, each org of the run in one of them (or not started). */
    private static final List<String> OUTCOMES = List.of("migrated", "unchanged", "skipped", "failed");

    /** Hands over the skipped orgs' lines, one at a time (a run's read from its items). */
    private static void skipped(MigrateAll.Result r, java.util.function.Consumer<RunReport.Org> each) {
        r.lines().forEach(o -> {
            if (o.outcome().equals("skipped")) {
                each.accept(o);
            }
        });
    }

    /**
     * What to run to get an org that failed in a migrate-all run moving again. A command that migrates names the run's
     * manifest (this invocation's --schema file, else the run's hash: without either it would roll out the built-in
     * manifest) and carries the run's flags (a step without --replace-conflicting stops at the very conflict it passed;
     * one without --force selects nothing when the org's recorded manifest is already this one).
     */
    private io.tenantctl.NextStep nextStep(MigrateAll.Result r, RunReport.Org f) {
        String orgId = f.orgId();
        String error = f.error();
        if (error == null) {
            return null;
        }
        RunControl control = fanout.control();
        String runId = control.runId();
        // a joined or resumed run's manifest and flags are the run's: --resume redoes its failed orgs with them
        boolean runsOwn = control.existing() && schema == null;
        String manifest = schema != null ? Summary.schemaOption(schema)
                : (schemaHash != null || runsOwn) && r.schemaHash() != null ? " --schema-hash " + r.schemaHash() : "";
        String flags = (r.force() ? " --force" : "") + (r.apply().replaceConflicting() ? " --replace-conflicting" : "")
                + (r.apply().prune() ? " --prune" : "") + (r.apply().allowExpiry() ? " --allow-expiry" : "");
        // a flag the run was not started with takes a new run of this org
        String withFlag = "tenantctl migrate-all --org " + orgId + manifest + flags;
        String migrate = runsOwn ? Summary.again(r.report(), () -> withFlag) : withFlag; // a cancelled run's --resume is refused
        if (io.tenantctl.ops.Errors.dataGone(f)) { // its database is gone: a re-run refuses it again
            return io.tenantctl.NextStep.run("tenantctl verify --org " + orgId, "it says where a copy may be and how to bring the data back");
        }
        if (error.contains("orgs adopt")) {
            return f.poolId() == null ? io.tenantctl.NextStep.note("tenantctl orgs adopt " + orgId + " --pool POOL   (see the error)")
                    : io.tenantctl.NextStep.run("tenantctl orgs adopt " + orgId + " --pool " + f.poolId(), "see the error");
        }
        if (error.contains("--allow-expiry")) {
            // a dry run has just counted them: its step is the run that lets them go, not the same dry run again; a backup
            // first, so a tool that runs next_step alone deletes nothing
            if (r.report().dryRun()) {
                return io.tenantctl.NextStep.then("tenantctl backup --org " + orgId, withFlag
                        + " --allow-expiry   (deletes the documents counted above as soon as the index is built, if intended)");
            }
            return io.tenantctl.NextStep.run(withFlag + " --dry-run", "see how many documents would expire; if intended, a backup, then --allow-expiry");
        }
        if (error.contains("--replace-conflicting cannot rebuild")) {
            // this very command would refuse it again: an extra index holding the key goes first with --prune, else the manifest changes
            String replacing = withFlag.contains(" --replace-conflicting") ? withFlag : withFlag + " --replace-conflicting";
            return error.contains("--prune") && !r.apply().prune()
                    ? io.tenantctl.NextStep.run(replacing + " --prune --dry-run", "see which indexes --prune would drop; then without --dry-run")
                    : io.tenantctl.NextStep.note("change the manifest as the error says, then: " + (schema != null ? replacing
                    : "tenantctl migrate-all --org " + orgId + " --schema FILE" + flags + (flags.contains(" --replace-conflicting") ? ""
                    : " --replace-conflicting") + "   (FILE: the manifest " + r.schemaHash() + ", changed)"));
        }
        if (error.contains("--replace-conflicting") && !withFlag.contains("--replace-conflicting")) {
            return io.tenantctl.NextStep.run(withFlag + " --replace-conflicting --dry-run", "then without --dry-run");
        }
        if (error.contains("duplicate")) {
            return io.tenantctl.NextStep.note("remove the duplicate documents named above, then: " + migrate);
        }
        return io.tenantctl.NextStep.run(migrate); // a dry run's: the dry run again, never the rollout it previews (Summary.shown)
    }

    /**
     * What goes on with an aborted run: its --resume, unless orgs of it were refused for what only a flag the run was not
     * given passes — expiring documents (--allow-expiry), conflicting indexes (--replace-conflicting) — which a resume
     * cannot add (it would fail them, and abort, the same way): their own next step first, or the run ended and started
     * again with that flag; nor orgs whose database is gone from their pool, until their data is back.
     */
    private static io.tenantctl.NextStep goOn(MigrateAll.Result r) {
        String runId = r.report().runId();
        String resume = "tenantctl migrate-all --resume " + runId;
        String[][] refusals = {{"--allow-expiry", "--allow-expiry", "expiring documents"},
                {"pass --replace-conflicting", "--replace-conflicting", "conflicting indexes"}};
        boolean[] seen = new boolean[refusals.length + 1]; // each refusal met, and last an org whose database is gone
        r.lines().failed().accept(f -> {
            for (int i = 0; i < refusals.length && f.error() != null; i++) {
                seen[i] |= f.error().contains(refusals[i][0]);
            }
            seen[refusals.length] |= io.tenantctl.ops.Errors.dataGone(f);
        });
        for (int i = 0; i < refusals.length; i++) {
            boolean given = refusals[i][1].equals("--allow-expiry") ? r.apply().allowExpiry() : r.apply().replaceConflicting();
            if (!given && seen[i]) {
                return io.tenantctl.NextStep.note("Its orgs refused for " + refusals[i][2] + " fail the same way on --resume, which cannot add "
                        + refusals[i][1] + ": run each one's next: first, then '" + resume + "'; or end the run with 'tenantctl runs cancel "
                        + runId + "' and run it again with " + refusals[i][1]);
            }
        }
        if (seen[refusals.length]) { // refused until the data is back
            return io.tenantctl.NextStep.note("Its orgs whose database is gone from their pool fail the same way on --resume: bring each "
                    + "one's data back first (its next: 'tenantctl verify --org ORG' says how), then '" + resume + "'; or end the run "
                    + "with 'tenantctl runs cancel " + runId + "'");
        }
        return io.tenantctl.NextStep.run(resume);
    }


    /** The plan's lists summed over the orgs (in -o json and the text summary); each org's detail parsed once. */
    private static final List<String> TOTALS = List.of("create_collections", "create_indexes", "replaced", "dropped", "pruned",
            "conflicts", "extras");

    /**
     * What the run would do, summed: an org that would fail (a pre-flight refuses it) has nothing written, so its plan's
     * creations, rebuilds and drops do not count; its conflicts and extras, what it found, do.
     */
    private static Map<String, Integer> totals(MigrateAll.Result r) {
        Map<String, Integer> t = new LinkedHashMap<>();
        TOTALS.forEach(k -> t.put(k, 0));
        r.lines().forEach(o -> {
            JsonNode plan = o.detail().path("plan");
            boolean fails = o.outcome().equals("failed");
            TOTALS.stream().filter(k -> !fails || k.equals("conflicts") || k.equals("extras"))
                    .forEach(k -> t.merge(k, plan.path(k).size(), Integer::sum));
        });
        return t;
    }

    private static int size(JsonNode plan, String field) {
        return plan.path(field).size();
    }

    /**
     * The indexes the planned orgs would rebuild or drop, each named once however many orgs it is on (at most 10); as
     * {@link #totals}, not those of an org that would fail (nothing is written to it).
     */
    private static String named(MigrateAll.Result r, String... fields) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        r.lines().forEach(o -> {
            JsonNode plan = o.detail().path("plan");
            for (String f : o.outcome().equals("failed") ? new String[0] : fields) {
                plan.path(f).forEach(n -> names.add(n.asText()));
            }
        });
        return names.isEmpty() ? "" : " (" + io.tenantctl.Counted.firstOf(List.copyOf(names), names.size(), 10, ", ", ": see -o json") + ")";
    }

    /**
     * The extra indexes kept on the orgs that refuse writes or delete documents this manifest would not — what a rollback
     * leaves of the newer manifest, on which the older application fails: one line naming them, on which orgs, and the way
     * back (those --prune would drop, when it was not given); those on a collection the manifest does not list, which no
     * rollout touches (not even --prune), get a line of their own with the commands that drop them by hand, as schema diff
     * gives them. Nothing when there are none.
     */
    private void constraining(MigrateAll.Result r) {
        Map<String, List<String>> on = new LinkedHashMap<>();
        Map<String, List<String>> byHand = new LinkedHashMap<>(); // index -> the commands, one per org
        r.lines().forEach(o -> {
            o.detail().path("plan").path("constraining").forEach(n -> on.computeIfAbsent(n.asText(), k -> new ArrayList<>()).add(o.orgId()));
            o.detail().path("plan").path("drop_by_hand").forEach(n -> byHand.computeIfAbsent(n.path("index").asText(), k -> new ArrayList<>())
                    .add(n.path("command").asText()));
        });
        Map<String, List<String>> unlisted = new LinkedHashMap<>(); // "collection.index (effect)" -> orgs, as on
        for (String index : byHand.keySet()) {
            on.keySet().stream().filter(k -> k.startsWith(index + " (")).toList().forEach(k -> unlisted.put(k, on.remove(k)));
        }
        if (!on.isEmpty() && !r.apply().prune()) {
            String manifest = schema != null ? Summary.schemaOption(schema)
                    : schemaHash != null || fanout.control().existing() ? " --schema-hash " + r.schemaHash() : "";
            ctx.out.println(io.tenantctl.Counted.of(on.size(), "extra index", "extra indexes") + " the manifest does not list "
                    + (on.size() == 1 ? "is kept and is not harmless: " : "are kept and are not harmless: ") + named(on)
                    + "; the way back: tenantctl migrate-all" + manifest
                    + " --force --prune --dry-run   (shows every index --prune would drop; then without --dry-run)");
        }
        if (!unlisted.isEmpty()) {
            List<String> commands = byHand.values().stream().flatMap(List::stream).toList();
            ctx.out.println(io.tenantctl.Counted.of(unlisted.size(), "extra index", "extra indexes") + " on collections the manifest does not list "
                    + (unlisted.size() == 1 ? "is kept and is not harmless: " : "are kept and are not harmless: ")
                    + named(unlisted) + "; no rollout touches such a collection (not even --prune): if its documents are to be kept, "
                    + "drop each on its pool: " + io.tenantctl.Counted.firstOf(commands, commands.size(), 10, "; ", ": see -o json (drop_by_hand)"));
        }
    }

    /** "INDEX (EFFECT) on ORG, ORG" for at most 10 indexes and 5 orgs each. */
    private static String named(Map<String, List<String>> on) {
        List<String> named = on.entrySet().stream().map(e -> e.getKey() + " on " + io.tenantctl.Counted.firstOf(e.getValue(), 5, ", ")).toList();
        return io.tenantctl.Counted.firstOf(named, named.size(), 10, "; ", ": see -o json");
    }

    private void renderPlan(MigrateAll.Result r) {
        // a dry run of a page of orgs or fewer: its lines held, printed as ever; a larger one's spooled as they are read back
        Summary.table(ctx, r.lines(), List.of("org", "outcome", "+collections", "+indexes", "replaced", "dropped", "conflicts", "extras", "note"),
                o -> {
                    JsonNode plan = o.detail().path("plan");
                    return Arrays.asList(o.orgId(), o.outcome(), String.valueOf(size(plan, "create_collections")),
                            String.valueOf(size(plan, "create_indexes")), String.valueOf(size(plan, "replaced")),
                            String.valueOf(size(plan, "dropped") + size(plan, "pruned")), String.valueOf(size(plan, "conflicts")),
                            String.valueOf(size(plan, "extras")), o.error());
                });
        Map<String, Integer> t = totals(r);
        int failing = r.report().count("failed");
        ctx.out.println("dry run, nothing written: " + io.tenantctl.Counted.of(r.selected(), "org") + " selected (" + r.unchanged() + " already up to date, "
                + r.report().count("skipped") + " skipped" + (failing == 0 ? "" : ", " + failing + " would fail: nothing written to " + io.tenantctl.Counted.them(failing))
                + "); would create " + io.tenantctl.Counted.of(t.get("create_collections"), "collection") + " and "
                + io.tenantctl.Counted.of(t.get("create_indexes"), "index", "indexes") + "; would replace " + t.get("replaced") + named(r, "replaced")
                + " and drop " + io.tenantctl.Counted.of(t.get("dropped") + t.get("pruned"), "index", "indexes") + named(r, "dropped", "pruned") + "; "
                + io.tenantctl.Counted.of(t.get("conflicts"), "conflict")
                + (replaceConflicting ? " (would be replaced" + (failing == 0 ? ")" : ", but on the orgs that would fail)") : "") + ", "
                + io.tenantctl.Counted.of(t.get("extras"), "extra index", "extra indexes") + (prune ? " (would be dropped" + (failing == 0 ? ")" : ", but on the orgs that would fail)") : ""));
        java.util.Optional.ofNullable(wouldAbort(r)).ifPresent(ctx.out::println);
        constraining(r);
        Summary.failures(ctx, r.report(), r.lines().failed(), f -> nextStep(r, f));
        Summary.dryRunInterrupted(ctx, r.report(), r.interrupted());
    }

    private void renderRun(MigrateAll.Result r) {
        RunReport report = r.report();
        // a run with nothing to do (every org up to date) is over as it is recorded: said as without --detach
        if (fanout.detach && Summary.detached(ctx, report, io.tenantctl.Counted.of(r.selected(), "org") + " to migrate")) {
            return;
        }
        // the run's orgs, each counted once (a joined worker's own are its next line); those up to date it left out, apart
        int notSelected = r.unchanged() - report.count("unchanged");
        int notStarted = report.count("not_started");
        ctx.out.println("run " + report.runId() + ": " + io.tenantctl.Counted.of(report.total(), "org") + " in the run: " + String.join(", ", OUTCOMES.stream()
                .map(o -> o + " " + report.count(o)).toList()) + (notStarted == 0 ? "" : ", not started " + notStarted)
                + (notSelected == 0 ? "" : "; " + notSelected + " more already up to date, not selected"));
        java.util.Optional.ofNullable(Summary.thisWorker(report, r.lines(), OUTCOMES, fanout.control().existing())).ifPresent(ctx.out::println);
        Summary.timings(ctx, report);
        Summary.catalogAlarm(ctx, report, r.lines(), "migrated");
        skipped(r, s -> ctx.out.println("skipped: " + s.orgId() + ": " + s.error()));
        constraining(r);
        Summary.failures(ctx, r.report(), r.lines().failed(), f -> nextStep(r, f));
        if (report.aborted() != null) {
            io.tenantctl.NextStep goOn = goOn(r);
            ctx.err.println("aborted: " + report.aborted() + ". " + (goOn.command() != null ? "Resume with: " : "") + goOn.text());
        }
        ctx.err.flush();
    }
}
