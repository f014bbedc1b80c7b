package io.tenantctl.cli;

import io.tenantctl.Counted;
import io.tenantctl.TenantctlException;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Restore;
import io.tenantctl.store.ObjectStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "restore", description = {"Restore an org from a backup, verifying every file's sha256 and count while it streams.",
        "Default: into a fresh database; the org is pointed at it only after everything verified, and the database it "
        + "replaced is kept (recorded as retired). --to-org creates a new org instead. Only --in-place --drop-existing drops data."})
final class RestoreCommand implements Callable<Integer> {

    private final CliContext ctx;

    @ActsOn
    @Option(names = "--org", required = true, paramLabel = "ORG", description = "The org whose backup to restore.")
    String org;

    @ActsOn
    @Option(names = "--backup", paramLabel = "ID", defaultValue = "latest", description = "Backup id, or latest (default): the newest complete one.")
    String backup;

    @ActsOn
    @Option(names = "--to-org", paramLabel = "NEW", description = "Create a new org NEW from the backup; ORG is left alone.")
    String toOrg;

    @ActsOn
    @Option(names = "--target-pool", paramLabel = "POOL", description = "Restore onto this pool instead of the org's own (or the placement's).")
    String targetPool;

    @Destroys
    @Option(names = "--in-place", description = "Restore into the org's current database (needs --drop-existing).")
    boolean inPlace;

    @Destroys
    @Option(names = "--drop-existing", description = "With --in-place: DROP the org's current database first.")
    boolean dropExisting;

    @Mixin
    DryRunOption dryRun;

    @Option(names = "--wait", description = "If another operation holds the org (a backup, a migration, a restore), wait for it instead of exiting 3.")
    boolean waitForOrg;

    RestoreCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /**
     * What to run instead of the {@code --resume RUN} a line gives restore (as the fan-out verbs take it), or null when it
     * gives none: a restore has no --resume (a stopped one is rolled back and run again as it was typed), and 'runs show
     * RUN' names that restore while it still goes on with the run. Said in place of picocli's "Missing required option".
     */
    static String insteadOfResume(String[] args) {
        for (int i = 0; args != null && i < args.length; i++) {
            if (args[i].equals("--resume") || args[i].startsWith("--resume=")) {
                String run = args[i].startsWith("--resume=") ? args[i].substring("--resume=".length())
                        : i + 1 < args.length && !args[i + 1].startsWith("-") ? args[i + 1] : "RUN_ID";
                return "restore has no --resume (a stopped restore is run again, not resumed): 'tenantctl runs show "
                        + io.tenantctl.NextStep.shellWord(run) + "' names the restore that goes on with that run, if one still does";
            }
        }
        return null;
    }

    @Override
    public Integer call() {
        if (org.contains(",")) {
            throw TenantctlException.usage("restore restores one org at a time: --org '" + org + "' names "
                    + org.split(",", -1).length + "; run one restore per org");
        }
        try (ObjectStore store = Stores.open(ctx)) {
            Restore.Result r = new Restore(ctx.ops(), store).run(new Restore.Request(org, backup, toOrg, targetPool, inPlace, dropExisting,
                    dryRun.on, ctx.cancel, waitForOrg, Stores.typed(ctx)));
            for (String db : r.droppedDatabases()) {
                if (!r.mode().equals(Restore.IN_PLACE)) {
                    ctx.err.println("note: " + (r.dryRun() ? "would drop " : "dropped ") + db + " on pool " + r.poolId()
                            + ", left by an interrupted restore into the same target");
                } else if (ctx.quiet()) { // said when it happened, unless -q kept the notice back: said here then
                    ctx.err.println("WARNING: DROPPED database " + db + " on pool " + r.poolId() + " (--in-place --drop-existing; it held "
                            + Counted.of(r.existingDocs(), "document") + ", backup " + r.backupId() + " holds " + r.docs() + ")");
                }
            }
            if (ctx.cancel.isCancelled() && !r.dryRun() && r.mode().equals(Restore.IN_PLACE)) {
                ctx.err.println("note: the interrupt came after the org's database was dropped, so the restore was finished");
            }
            if (r.dryRun() && r.mode().equals(Restore.IN_PLACE)) {
                ctx.err.println("WARNING: this would DROP database " + r.databaseName() + " on pool " + r.poolId() + ", which holds "
                        + Counted.of(r.existingDocs(), "document") + " now (backup " + r.backupId() + " holds " + r.docs() + ")");
            }
            if (r.dryRun() && r.lossWarning() != null) {
                ctx.err.println("WARNING: " + r.lossWarning());
            }
            ctx.err.flush();
            if (ctx.json()) {
                Output.json(ctx.out, r);
                return 0;
            }
            List<String[]> f = new ArrayList<>();
            f.add(new String[]{"run", r.runId()});
            f.add(new String[]{"backup", r.orgId() + "/" + r.backupId()});
            f.add(new String[]{"mode", r.mode()});
            f.add(new String[]{"org", r.targetOrgId()});
            f.add(new String[]{"pool", r.poolId()});
            f.add(new String[]{"database", r.databaseName()});
            f.add(new String[]{"collections", String.valueOf(r.collections())});
            f.add(new String[]{"documents", String.valueOf(r.docs())});
            if (r.existingDocs() != null) { // what the drop takes, beside what the backup brings back
                f.add(new String[]{r.dryRun() ? "documents now" : "documents dropped", r.existingDocs() + " in " + r.databaseName()
                        + (r.existingDocs() > r.docs() ? " (" + (r.existingDocs() - r.docs()) + " more than the backup: "
                        + (r.dryRun() ? "lost by the drop)" : "lost)") : "")});
            }
            f.add(new String[]{"indexes", String.valueOf(r.indexes())});
            f.add(new String[]{"status", r.status()});
            if (r.retiredDatabase() != null) {
                f.add(new String[]{r.dryRun() ? "would retire" : "retired", r.retiredDatabase() + " on " + r.previousPoolId()
                        + " (kept; recorded in retired_databases)"});
            }
            Output.fields(ctx.out, f);
            ctx.out.println(r.dryRun() ? "dry run: the backup's manifest is readable; nothing was changed"
                    : "restored " + Counted.of(r.docs(), "document") + " in " + r.millis() + " ms; org " + r.targetOrgId() + " now points at "
                    + r.poolId() + "/" + r.databaseName());
            if (r.next() != null) {
                ctx.note("the backup has another manifest than the last rollout applied; next for " + r.targetOrgId() + ": " + r.next());
            }
            return 0;
        }
    }
}
