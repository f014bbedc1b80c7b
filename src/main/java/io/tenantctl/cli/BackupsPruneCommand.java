package io.tenantctl.cli;

import io.tenantctl.Counted;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Backups;
import io.tenantctl.ops.OpsContext;
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

@Command(name = "prune", description = {"Delete backups outside retention.",
        "Defaults come from each org's tier policy (keep-last = keep_last, keep-daily = retention_days). Never deletes an "
        + "org's newest complete backup or one in progress; incomplete ones (no manifest) only after the grace period."})
final class BackupsPruneCommand implements Callable<Integer> {

    private final CliContext ctx;

    @ActsOn
    @Option(names = "--org", paramLabel = "ORG", split = ",", description = "Only these orgs' backups (repeat or comma-separate).")
    List<String> orgs = new ArrayList<>();

    @Option(names = "--keep-last", paramLabel = "N", description = "Keep the N newest complete backups (default: tier policy).")
    Integer keepLast;

    @Option(names = "--keep-daily", paramLabel = "D", description = "Keep the newest backup of each of the last D days (default: tier retention days).")
    Integer keepDaily;

    @Option(names = "--keep-weekly", paramLabel = "W", description = "Keep the newest backup of each of the last W weeks (default 0).")
    Integer keepWeekly;

    @Option(names = "--grace-hours", paramLabel = "H", defaultValue = "24", description = "Incomplete backups younger than this are kept.")
    int graceHours;

    @Mixin
    DryRunOption dryRun;

    BackupsPruneCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        // its listing of the backups (before anything is deleted or printed) is the check, as Stores.open's probe would be
        try (ObjectStore store = OpsContext.openStoreToList(ctx.resolveStoreUrl(), ctx.effectiveEnv())) {
            Backups backups = new Backups(ctx.ops(), store, Stores.onLine(ctx));
            Backups.PruneResult r = backups.prune(new Backups.PruneRequest(orgs, keepLast, keepDaily, keepWeekly, graceHours, dryRun.on,
                    Clock.systemUTC(), ctx.cancel));
            BackupsCommand.noneFor(ctx, orgs, r.decisions().stream().map(Backups.Decision::orgId).collect(java.util.stream.Collectors.toSet()),
                    backups);
            return render(ctx, r);
        }
    }

    /** Prints what prune did ({@code r}) as the table and summary line or, with -o json, one document; returns the exit code. */
    static int render(CliContext ctx, Backups.PruneResult r) {
        // goes on in the store it was given: a --store typed on the line, not TENANTCTL_STORE
        String next = r.next() == null ? null : r.next() + Stores.onLine(ctx);
        boolean failed = r.failed() > 0;
        int exit = r.interrupted() ? TenantCtl.EXIT_INTERRUPTED : failed ? 1 : 0;
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("dry_run", r.dryRun());
            doc.put("deleted", r.deleted());
            if (r.dryRun()) {
                doc.put("would_delete", r.wouldDelete());
            }
            doc.put("kept", r.kept());
            doc.put("failed", r.failed());
            doc.put("decisions", r.decisions());
            doc.put("interrupted", r.interrupted());
            doc.put("next", next);
            Output.json(ctx.out, doc);
            return interrupted(ctx, r, next, exit);
        }
        Output.table(ctx.out, List.of("org", "backup", "status", "action", "reason"),
                r.decisions().stream().map(d -> Arrays.asList(d.orgId(), d.backupId(), d.status(),
                        d.action().equals(Backups.PruneResult.WOULD_DELETE) ? "would delete" : d.action(), d.reason())).toList());
        long deleting = r.dryRun() ? r.wouldDelete() : r.deleted();
        ctx.out.println((r.dryRun() ? "dry run: would delete " : "deleted ") + Counted.of(deleting, "backup") + ", kept " + r.kept()
                + (failed ? ", failed " + r.failed() : ""));
        if (failed) {
            ctx.err.println(r.dryRun() ? "error: the store would refuse the prune's delete of " + Counted.of(r.failed(), "backup") + " (action failed, "
                    + "with why), deleting the others: prune once the store allows it" : "error: " + Counted.of(r.failed(), "backup")
                    + " could not be deleted (action failed, with why)"
                    + (r.interrupted() ? "" : "; the others were pruned") // stopped: what it had not reached is kept, said below
                    + ": prune again once the store allows it");
        }
        return interrupted(ctx, r, next, exit);
    }

    private static int interrupted(CliContext ctx, Backups.PruneResult r, String next, int exit) {
        if (r.interrupted()) {
            ctx.err.println("interrupted: deleted " + Counted.of(r.deleted(), "backup") + " and stopped; what it had not reached is kept, '"
                    + next + "' again goes on");
            ctx.err.flush();
        }
        return exit;
    }
}
