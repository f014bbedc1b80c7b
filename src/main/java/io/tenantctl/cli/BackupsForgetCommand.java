package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Backups;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "forget", description = {"Forget a backup recorded complete whose files are gone from the store.",
        "Only once a listing of the store finds none of it (or no manifest.json), never the org's newest (take a fresh backup first): "
        + "its catalog row is marked pruned, kept for the audit trail, and prune and verify name it no more. Touches nothing in the store."})
final class BackupsForgetCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "BACKUP_ID", description = "The backup (as 'tenantctl backups prune' names it).")
    String backupId;

    @Mixin
    DryRunOption dryRun;

    @Option(names = "--wait", description = "If another operation holds the org (a restore), wait for it instead of exiting 3.")
    boolean waitForOrg;

    BackupsForgetCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        // its listing of the org's backups is the check that the store answers, and that the backup is gone from it
        Backups.Forgotten f = Backups.forget(ctx.ops(), ctx.resolveStoreUrl(), ctx.effectiveEnv(), backupId, dryRun.on, waitForOrg,
                ctx.cancel);
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("org_id", f.orgId());
            doc.put("backup_id", f.backupId());
            doc.put("forgotten", !f.dryRun());
            doc.put("dry_run", f.dryRun());
            doc.put("location", f.location());
            doc.put("data_files_left", f.dataFilesLeft());
            Output.json(ctx.out, doc);
            return 0;
        }
        String left = f.dataFilesLeft() ? "; its data files left there without a manifest are an incomplete backup 'tenantctl backups "
                + "prune' deletes after its grace period" : "";
        ctx.out.println((f.dryRun() ? "dry run: would forget backup " : "forgot backup ") + f.backupId() + " of org " + f.orgId()
                + " (recorded complete, gone from " + f.location() + "): its catalog row " + (f.dryRun() ? "would be" : "is")
                + " kept as pruned, named by prune and verify no more" + left);
        return 0;
    }
}
