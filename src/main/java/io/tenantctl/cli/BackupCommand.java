package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.backup.Compression;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Backup;
import io.tenantctl.ops.run.RunControl;
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

    @Option(names = "--org", paramLabel = "ORG", split = ",", description = "Orgs to back up (repeat or comma-separate).")
    List<String> orgs = new ArrayList<>();

    @Option(names = "--all", description = "Every active or read_only org.")
    boolean all;

    @Option(names = "--pool", paramLabel = "POOL", description = "Every active or read_only org on this pool (with --due: only due ones).")
    String pool;

    @Option(names = "--due", description = "Active orgs whose newest complete backup is older than their tier's frequency (or that have none).")
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
        Compression alg = Compression.of(compression);
        RunControl control = fanout.control();
        if (control.existing() && (!orgs.isEmpty() || all || pool != null || due)) {
            throw TenantctlException.usage("--join and --resume work on the run's own orgs and settings: give no --org, --all, --pool or --due");
        }
        try (ObjectStore store = Stores.open(ctx)) {
            Backup.Result r = new Backup(ctx.ops(), store).run(new Backup.Request(new Backup.Selector(orgs, all, pool, due), new Backup.Copy(alg, freeze), dryRun.on,
                    fanout.engine(), control, ctx.cancel, ProgressReporter.of(ctx), Clock.systemUTC()));
            render(r);
            if (r.interrupted()) {
                return TenantCtl.EXIT_INTERRUPTED;
            }
            return r.failed().isEmpty() ? 0 : 1;
        }
    }

    private void render(Backup.Result r) {
        List<Summary.Failure> failed = r.failed().stream().map(f -> new Summary.Failure(f.orgId(), f.poolId(), f.error(),
                "tenantctl backup --org " + f.orgId())).toList();
        if (ctx.json()) {
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("store", r.store());
            counts.put("backed_up", r.count(Backup.BACKED_UP));
            counts.put("planned", r.count(Backup.PLANNED));
            Output.json(ctx.out, Summary.json(Backup.VERB, r.report(), r.runId(), r.dryRun(), counts, failed, r.interrupted(), r.timings(),
                    r.orgs()));
            return;
        }
        if (fanout.detach) {
            ctx.out.println("run " + r.runId() + " created with " + r.orgs().size() + " orgs; start workers with: tenantctl backup --join "
                    + r.runId());
            return;
        }
        Output.table(ctx.out, List.of("org", "pool", "backup", "outcome", "docs", "bytes", "ms", "error"),
                r.orgs().stream().map(o -> Arrays.asList(o.orgId(), o.poolId(), o.backupId(), o.outcome().json(), String.valueOf(o.docs()),
                        String.valueOf(o.bytes()), String.valueOf(o.millis()), o.error())).toList());
        if (r.dryRun()) {
            ctx.out.println("dry run: nothing written; " + r.count(Backup.PLANNED) + " orgs would be backed up to " + r.store()
                    + (r.failed().isEmpty() ? "" : ", " + r.failed().size() + " cannot be"));
            return;
        }
        ctx.out.println("run " + r.runId() + ": backed up " + r.count(Backup.BACKED_UP) + " to " + r.store() + ", failed "
                + r.failed().size() + (r.interrupted() ? ", not started " + r.count(Backup.NOT_STARTED) + " (interrupted)" : ""));
        Summary.timings(ctx, r.timings(), r.slowest(3).stream().map(o -> o.orgId() + " " + o.millis() + " ms").toList(), false);
        Summary.failures(ctx, failed);
    }
}
