package io.tenantctl.cli;

import io.tenantctl.NextStep;
import io.tenantctl.TenantctlException;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Provision;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.schema.SchemaManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "provision", description = {"Create orgs: place them fill-then-spill across active pools, create every collection and index.",
        "Active orgs are left alone; provisioning/failed ones are resumed."})
final class ProvisionCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(paramLabel = "ORG", arity = "0..*", description = "Org ids: ^[a-z0-9][a-z0-9_-]{0,46}$")
    List<String> orgs = new ArrayList<>();

    @ActsOn
    @Option(names = "--file", paramLabel = "FILE", description = "Read org ids from FILE, one a line; # starts a comment.")
    Path file;

    @ActsOn
    @Option(names = "--pool", paramLabel = "POOL", description = "Place every new org on this pool (still bounded by its capacity).")
    String pool;

    @Option(names = "--tier", paramLabel = "TIER", defaultValue = "free", description = "Tier recorded on new orgs.")
    String tier;

    @Option(names = "--schema", paramLabel = "FILE", description = "Schema manifest to apply instead of the built-in LibreChat model.")
    Path schema;

    @Option(names = "--schema-hash", paramLabel = "SHA256", description = {"Apply the manifest the catalog recorded under this hash "
            + "instead of a file (every run keeps its manifest there; 'runs show RUN' names it)."})
    String schemaHash;

    @Mixin
    DryRunOption dryRun;

    @Mixin
    FanoutOptions fanout;

    ProvisionCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Metrics metrics = fanout.metrics(ctx, "provision");
        RunEngine.Drive drive = fanout.drive(ctx); // its limits checked before anything is read or recorded
        // a dry run of a joined or resumed run would go on for real; its orgs get the tier the run was started with
        fanout.refuseWithExistingRun(ctx, "provision", "--tier");
        List<String> ids = new ArrayList<>(orgs);
        if (file != null) {
            ids.addAll(readIds(file));
        }
        RunControl control = fanout.control();
        if (control.existing()) { // a config file's schema= is not the run's: the run keeps its own (pool= is never read)
            schema = fanout.typed("--schema") ? schema : null;
        }
        if (control.existing() && (!ids.isEmpty() || schema != null || pool != null || schemaHash != null)) {
            throw TenantctlException.usage("--join and --resume work on the run's own orgs, pool and manifest: give no ORG, --file, --pool, "
                    + "--schema or --schema-hash");
        }
        Manifests.oneOf(schema, schemaHash);
        SchemaManifest manifest = control.existing() ? null : Manifests.given(ctx, schema, schemaHash);
        Provision.Result r = new Provision(ctx.ops()).run(new Provision.Request(ids, pool, tier, manifest, dryRun.on, drive));
        metrics.report(r.report(), r.lines());
        if (pool != null) { // an org that exists is unchanged where it is: the pin is said not applied, once for them all
            List<String> elsewhere = new ArrayList<>(); // the first 3 named (4 when that is all), the rest counted: read a page at a time
            int[] n = {0};
            r.lines().forEach(o -> {
                if (o.outcome().equals("unchanged") && !pool.equals(o.poolId()) && n[0]++ < 4) {
                    elsewhere.add(o.orgId() + " (on " + o.poolId() + ")");
                }
            });
            if (n[0] > 0) {
                ctx.warn(io.tenantctl.Counted.of(n[0], "org") + (n[0] == 1 ? " exists" : " exist") + " already on another pool than --pool " + pool + ", left where "
                        + io.tenantctl.Counted.they(n[0]) + " " + io.tenantctl.Counted.are(n[0]) + ": "
                        + io.tenantctl.Counted.firstOf(elsewhere, n[0], 3, ", ", "")
                        + "; 'tenantctl rebalance move ORG --to " + pool + "' moves one");
            }
        }
        render(r.report(), r);
        return Summary.exitCode(ctx, r.report(), r.interrupted(), r.report().count("failed") == 0 ? 0 : 1);
    }

    static List<String> readIds(Path file) {
        return io.tenantctl.ops.ListFile.orgIds(read(file, "org file"), "org file " + file);
    }

    /** A list file's text ({@code what}: "org file"), its byte-order mark skipped; ops reads its lines. */
    static String read(Path file, String what) {
        try {
            return CliContext.withoutByteOrderMark(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw TenantctlException.usage(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw TenantctlException.usage(what + " " + file + " is unreadable: " + io.tenantctl.IoErrors.describe(e));
        }
    }

    /** OrgRepository's "no capacity" of an org pinned with --pool: the pool, and whether it is full or not active. */
    private static final java.util.regex.Pattern PINNED_NO_CAPACITY = java.util.regex.Pattern.compile("^no capacity: pool (\\S+) is (\\S+)");

    /** OrgRepository's "no capacity" names each pool that had room but did not answer so. */
    private static final java.util.regex.Pattern UNREACHABLE_WITH_ROOM = java.util.regex.Pattern.compile("([^\\s(,]+) unreachable with room for ");

    /**
     * What moves a failed org on: commands that provision again name this invocation's --schema, or they would apply the
     * built-in one. A way on that needs a value chosen first (a capacity, a pool, an id) has no command, only its note.
     */
    private NextStep nextStep(RunReport report, RunReport.Org f) {
        String orgId = f.orgId();
        String poolId = f.poolId();
        String error = f.error();
        if (error == null) {
            return null;
        }
        if (error.contains("orgs adopt")) {
            // a dry run wrote no row: there is nothing to forget, only another id to choose
            return NextStep.run("tenantctl orgs adopt " + orgId + " --pool " + poolId,
                    report.dryRun() ? "or provision it under another id" : "or: tenantctl orgs forget " + orgId);
        }
        if (error.contains("choose another id")) { // its database is another org's: there is no row to resume or forget
            return NextStep.note("provision it under another id (" + orgId + " cannot be used)");
        }
        java.util.regex.Matcher pinned = PINNED_NO_CAPACITY.matcher(error); // pinned: another pool does not help
        if (pinned.find()) {
            return pinned.group(2).equals("full")
                    ? NextStep.note("tenantctl pools set-capacity " + pinned.group(1) + " --capacity N   (N above its orgs), then: " + again(report, orgId))
                    : NextStep.then("tenantctl pools enable " + pinned.group(1), again(report, orgId));
        }
        List<String> silent = new ArrayList<>(); // pools with room passed over because they did not answer: no want of room
        for (java.util.regex.Matcher m = UNREACHABLE_WITH_ROOM.matcher(error); m.find(); ) {
            silent.add(m.group(1));
        }
        if (error.startsWith("no capacity") && !silent.isEmpty()) {
            String stats = "tenantctl pools stats" + (silent.size() == 1 ? " " + silent.get(0) : "");
            String why = "why " + String.join(", ", silent) + (silent.size() == 1 ? ", which has room, does" : ", which have room, do")
                    + " not answer: mend that";
            return new NextStep(stats, why + "; then: " + again(report, orgId), stats + "   (" + why + "), then: " + again(report, orgId));
        }
        if (error.startsWith("no capacity")) {
            return NextStep.note("tenantctl pools add … / pools enable …, then: " + again(report, orgId));
        }
        if (error.startsWith("org is ")) { // what orgs show names as the org's next step (a deleted org: another id, or its restore)
            NextStep shown = new io.tenantctl.ops.Orgs(ctx.catalog()).nextStep(orgId);
            return shown != null ? shown : NextStep.run("tenantctl orgs show " + orgId);
        }
        if (pool != null && poolId != null && !pool.equals(poolId) && !fanout.control().existing()) {
            // a failed org is provisioned again where it was placed, whatever --pool says: forgotten, it is placed anew
            String why = "a failed org is provisioned again on its own pool, " + poolId + ", whatever --pool says; or, once " + poolId
                    + " answers: " + again(report, orgId).replace(" --pool " + pool, "");
            return new NextStep("tenantctl orgs forget " + orgId, "then: " + again(report, orgId) + "; " + why,
                    "tenantctl orgs forget " + orgId + ", then: " + again(report, orgId) + "   (" + why + ")");
        }
        return NextStep.run(again(report, orgId), report.dryRun() ? "once what the error says is mended; then the run itself, without --dry-run"
                : "resumes it; or: tenantctl orgs forget " + orgId);
    }

    /**
     * The command that provisions {@code orgId} again as this invocation meant it: its --schema, --tier and --pool; for a
     * joined or resumed run (which take none of them: they are the run's) the run's own --resume, or, the run cancelled
     * meanwhile, the org's own step as orgs show names it (the provision that finishes it; for one with no row, that found
     * no room, the provision that makes it as the run meant it).
     */
    private String again(RunReport report, String orgId) {
        if (fanout.control().existing()) {
            return Summary.again(report, () -> java.util.Optional.ofNullable(new io.tenantctl.ops.Orgs(ctx.catalog()).wayOn(orgId, report.runId()))
                    .map(NextStep::command).orElse("tenantctl orgs show " + orgId));
        }
        return "tenantctl provision " + orgId + Summary.schemaOption(schema) + ("free".equals(tier) ? "" : " --tier " + tier)
                + (pool == null ? "" : " --pool " + pool);
    }

    /** A run's outcomes as a worker's own are counted ({@link Summary#thisWorker}), each org of the run in one of them (or not started). */
    private static final List<String> OUTCOMES = List.of("provisioned", "unchanged", "skipped", "failed");

    /**
     * The run's outcome: its counts, timings and slowest from {@code report}, which holds no org's line (a fleet's are many);
     * the table, -o json's orgs[] and failed[] and the failures on stderr from the lines {@code r} reads from the run's items
     * a page at a time, the table and the document printed once whole (a run of a page of orgs or fewer: read into memory
     * first, printed as ever, no temporary file needed).
     */
    private void render(RunReport report, Provision.Result r) {
        io.tenantctl.ops.run.ReportLines lines = r.lines().heldUpTo(io.tenantctl.ops.run.ReportLines.PAGE, report.total());
        if (ctx.json()) {
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("schema_hash", r.schemaHash());
            counts.put("provisioned", report.count("provisioned"));
            counts.put("unchanged", report.count("unchanged"));
            counts.put("planned", report.count("planned"));
            counts.put("worker", Summary.thisWorker(report, OUTCOMES));
            Summary.print(ctx, lines, Summary.json(report, lines::forEach, lines.failed(), r.interrupted(), counts, f -> nextStep(report, f)));
            return;
        }
        // a run with nothing to do (every org active already) is over as it is recorded: said as without --detach;
        // orgs that found no room failed as the run was recorded (a --join does not try them again): said, not just exit 1
        int failedAtOnce = report.count("failed");
        if (fanout.detach && Summary.detached(ctx, report, io.tenantctl.Counted.of(report.total(), "org")
                + (failedAtOnce == 0 ? "" : " (" + failedAtOnce + " failed at once: see stderr)"))) {
            Summary.failures(ctx, report, lines.failed(), f -> nextStep(report, f));
            return;
        }
        Summary.table(ctx, lines, List.of("org", "pool", "database", "outcome", "attempts", "ms", "error"),
                o -> java.util.Arrays.asList(o.orgId(), o.poolId(), o.detail().path("database_name").asText(),
                        o.outcome(), Summary.attempts(o), Summary.ms(o), o.error()));
        if (report.dryRun()) {
            ctx.out.println("dry run: nothing written; " + io.tenantctl.Counted.of(report.count("planned"), "org") + " would be provisioned, "
                    + report.count("unchanged") + " already active, " + report.count("failed") + " cannot be");
            Summary.dryRunInterrupted(ctx, report, r.interrupted());
            return;
        }
        ctx.out.println("run " + report.runId() + ": provisioned " + report.count("provisioned") + ", unchanged "
                + report.count("unchanged") + ", failed " + report.count("failed")
                + (report.count("skipped") == 0 ? "" : ", skipped " + report.count("skipped") + " (forgotten: see its error)")
                + (r.interrupted() ? ", not started " + report.count("not_started") + (report.cancelled() ? " (interrupted; run cancelled)" : " (interrupted; re-run to resume)") : ""));
        java.util.Optional.ofNullable(Summary.thisWorker(report, lines, OUTCOMES, fanout.control().existing())).ifPresent(ctx.out::println);
        Summary.timings(ctx, report);
        Summary.catalogAlarm(ctx, report, r.lines(), "provisioned");
        Summary.failures(ctx, report, lines.failed(), f -> nextStep(report, f));
    }
}
