package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.backup.Compression;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Backup;
import io.tenantctl.ops.Backups;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.store.ObjectStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "backup", description = {"Back orgs up to the object store: every collection as NDJSON, manifest.json written last.",
        "Choose orgs with --org, --all, --pool or --due (orgs whose tier's backup frequency has elapsed)."})
final class BackupCommand implements Callable<Integer> {

    private final CliContext ctx;

    @ActsOn
    @Option(names = "--org", paramLabel = "ORG", split = ",", description = "Orgs to back up (repeat or comma-separate).")
    List<String> orgs = new ArrayList<>();

    @ActsOn
    @Option(names = "--all", description = "Every active or read_only org.")
    boolean all;

    @ActsOn
    @Option(names = "--pool", paramLabel = "POOL", split = ",",
            description = "Every active or read_only org on this pool (repeat or comma-separate; with --due: only due ones).")
    List<String> pools = new ArrayList<>();

    @ActsOn
    @Option(names = "--due", description = {"Orgs due: active ones whose newest complete backup will be older than their "
            + "tier's frequency within the hour (or that have none), and suspended ones with no backup taken since they were suspended."})
    boolean due;

    @Option(names = "--compression", paramLabel = "ALG", defaultValue = "zstd", description = "zstd (.ndjson.zst), gzip (.ndjson.gz) or none.")
    String compression;

    @Option(names = "--freeze", description = "Set each active org read_only while it is copied (a consistent copy); always set back after.")
    boolean freeze;

    @Mixin
    DryRunOption dryRun;

    @Mixin
    FanoutOptions fanout;

    BackupCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Metrics metrics = fanout.metrics(ctx, "backup");
        RunEngine.Drive drive = fanout.drive(ctx); // its limits checked before anything is read or recorded
        // a dry run of a joined or resumed run would go on for real; the run copies as it was started (compression, freeze)
        fanout.refuseWithExistingRun(ctx, "backup", "--freeze", "--compression");
        Compression alg = Compression.of(compression);
        RunControl control = fanout.control();
        if (control.existing()) { // a config file's selection is not the run's: the run keeps its own
            orgs = fanout.typed("--org") ? orgs : new ArrayList<>();
            pools = fanout.typed("--pool") ? pools : new ArrayList<>();
            all = all && fanout.typed("--all");
            due = due && fanout.typed("--due");
        }
        if (control.existing() && (!orgs.isEmpty() || all || !pools.isEmpty() || due)) {
            throw TenantctlException.usage("--join and --resume work on the run's own orgs and settings: give no --org, --all, --pool or --due");
        }
        Backup.Selector selector = new Backup.Selector(orgs, all, pools, due);
        if (!control.existing()) { // no selection is a usage error (exit 2) before the store is opened or checked
            Backups.requireChosen(selector);
        }
        // a file:// store's directory gone while backups are recorded there (not mounted): exit 3, not made anew on the wrong disk
        try (ObjectStore store = ctx.ops().openStoreToBackUp(ctx.resolveStoreUrl(), ctx.effectiveEnv())) {
            Backup.Result r = new Backup(ctx.ops(), store).run(new Backup.Request(selector,
                    new Backup.Copy(alg, freeze, null), dryRun.on, drive, Clock.systemUTC(), Stores.onLine(ctx)));
            metrics.report(r.report(), r.lines());
            render(r.report(), r.lines(), r.interrupted(), r.store());
            return Summary.exitCode(ctx, r.report(), r.interrupted(), r.report().count("failed") == 0 ? 0 : 1);
        }
    }

    /**
     * The command that backs {@code orgId} up again as this run does: a joined or resumed run's own --resume (it copies
     * with the flags and store it was started with); else a backup of the org alone with this invocation's --freeze, a
     * --compression other than the default and a --store typed on the line (a store URL holds no secret: credentials come
     * from the environment); for a joined or resumed run cancelled meanwhile, whose --resume is refused, a backup of the
     * org alone with the run's own --freeze and --compression (this worker was given none: they are the run's).
     */
    private String again(RunReport report, String orgId) {
        return fanout.control().existing() ? Summary.again(report, () -> alone(orgId, Backups.copyOf(ctx.catalog(), report.runId())))
                : alone(orgId, new Backup.Copy(Compression.of(compression), freeze, null));
    }

    private String alone(String orgId, Backup.Copy copy) {
        return "tenantctl backup --org " + orgId + (copy.freeze() ? " --freeze" : "")
                + (copy.compression() == Compression.ZSTD ? "" : " --compression " + copy.compression().id()) + Stores.onLine(ctx);
    }

    /** A run's outcomes as a worker's own are counted ({@link Summary#thisWorker}), each org of the run in one of them (or not started). */
    private static final List<String> OUTCOMES = List.of("backed_up", "skipped", "failed");

    /**
     * The run's outcome: its counts, timings and slowest from {@code report}, which holds no org's line (a fleet's are many);
     * the table, -o json's orgs[] and failed[] and the failures on stderr from {@code lines}, read from the run's items a page
     * at a time, the table and the document printed once whole
     * (a run of a page of orgs or fewer: read into memory first, printed as ever, no temporary file needed).
     */
    private void render(RunReport report, io.tenantctl.ops.run.ReportLines read, boolean interrupted, String store) {
        io.tenantctl.ops.run.ReportLines lines = read.heldUpTo(io.tenantctl.ops.run.ReportLines.PAGE, report.total());
        // the org's folder in the store may not be written: backing up again fails alike until someone gives access (a hand
        // first: no command to paste, next_step null), then the backup as it would run
        java.util.function.Function<RunReport.Org, io.tenantctl.NextStep> next = f -> f.marked(RunReport.Mark.STORE_REFUSES_WRITES) // as its item recorded
                ? io.tenantctl.NextStep.note("give the user tenantctl runs as write access to org " + f.orgId() + "'s folder in the store, as the "
                + "error says (or run it as the user that writes the store's backups), then: " + again(report, f.orgId()))
                // an org deleted (or deleting) since it was selected is never backed up again: its final backup was its last, and
                // 'backup --org' would fail the same way for ever
                : io.tenantctl.NextStep.run(f.error() != null
                && (f.error().matches("org (is|became) (deleting|deleted)\\b.*") || f.error().contains("the org is deleting: its final backup")
                || f.error().contains("there is no backup of it either"))
                ? null
                // failed, provisioning, restoring, moving: the backup would fail the same way; what the org needs first is there
                : f.error() != null && f.error().contains(": only active or read_only orgs") ? "tenantctl orgs show " + f.orgId()
                // its database gone, its newest backup what holds its data (backing up again fails alike): the restore its error names
                : f.error() != null && f.error().contains("has no collections (it does not exist)") ? "tenantctl restore --org " + f.orgId()
                + Stores.onLine(ctx)
                : again(report, f.orgId()));
        if (ctx.json()) {
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("store", store);
            counts.put("backed_up", report.count("backed_up"));
            counts.put("planned", report.count("planned"));
            counts.put("worker", Summary.thisWorker(report, OUTCOMES));
            Summary.print(ctx, lines, Summary.json(report, lines::forEach, lines.failed(), interrupted, counts, next));
            return;
        }
        // a run with nothing to do (no org selected, none due) is over as it is recorded: said as without --detach
        if (fanout.detach && Summary.detached(ctx, report, io.tenantctl.Counted.of(report.total(), "org"))) {
            return;
        }
        Summary.table(ctx, lines, List.of("org", "pool", "backup", "outcome", "docs", "bytes", "ms", "error"),
                o -> Arrays.asList(o.orgId(), o.poolId(), o.detail().path("backup_id").asText(null), o.outcome(),
                        o.detail().path("docs").asText(), o.detail().path("bytes").asText(), Summary.ms(o), o.error()));
        if (report.dryRun()) {
            ctx.out.println("dry run: nothing written; " + io.tenantctl.Counted.of(report.count("planned"), "org") + " would be backed up to " + store
                    + (report.count("failed") == 0 ? "" : ", " + report.count("failed") + " cannot be"));
            Summary.dryRunInterrupted(ctx, report, interrupted);
            return;
        }
        ctx.out.println("run " + report.runId() + ": backed up " + report.count("backed_up") + " to " + store + ", failed "
                + report.count("failed") + (interrupted ? ", not started " + report.count("not_started") + " (interrupted)" : ""));
        java.util.Optional.ofNullable(Summary.thisWorker(report, lines, OUTCOMES, fanout.control().existing())).ifPresent(ctx.out::println);
        Summary.timings(ctx, report);
        Summary.failures(ctx, report, lines.failed(), next);
    }
}
