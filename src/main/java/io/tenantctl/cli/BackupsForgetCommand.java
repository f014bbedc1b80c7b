package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Backups;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "forget", description = {"Forget backups recorded complete whose files are gone from the store.",
        "Only once a listing of the store finds none of it (or no manifest.json), never the org's newest (take a fresh backup first): "
        + "its catalog row is marked pruned, kept for the audit trail, and prune and verify name it no more. Touches nothing in the store. "
        + "Several ids are each checked on their own: one refused does not stop the others, and the exit code is the worst."})
final class BackupsForgetCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(arity = "1..*", paramLabel = "BACKUP_ID", description = "The backups (as 'tenantctl backups prune' names them), one or more.")
    List<String> backupIds = new ArrayList<>();

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
        Backups.ForgetResult r = Backups.forget(ctx.ops(), ctx.resolveStoreUrl(), Stores.onLine(ctx), ctx.effectiveEnv(), backupIds, dryRun.on,
                waitForOrg, ctx.cancel);
        if (r.outcomes().size() == 1) { // one backup: its line and document, or its refusal as the error it is, as ever
            Backups.ForgetOutcome o = r.outcomes().get(0);
            if (o.forgotten() == null) {
                throw r.error(o);
            }
            if (ctx.json()) {
                Output.json(ctx.out, document(o.forgotten()));
            } else {
                ctx.out.println(line(o.forgotten()));
            }
            return 0;
        }
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Backups.ForgetOutcome o : r.outcomes()) {
            TenantctlException why = r.error(o);
            if (o.refused() != null) { // one not reached has its place in the last lines
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("category", why.category().name().toLowerCase(Locale.ROOT));
                fields.put("exit_code", why.category().exitCode);
                fields.put("backup_id", o.backupId());
                String said = why.getMessage().contains(o.backupId()) ? why.getMessage() : "backup " + o.backupId() + ": " + why.getMessage();
                String stack = o == r.stopper() && ctx.verbose() ? TenantCtl.stackTrace(why) : null; // -v: as any verb's failure
                fields.put("stack", stack);
                ctx.log("error", said, fields, "error: " + Output.printable(said) // which one, as 'org globex is busy' does not say
                        + (stack == null ? "" : System.lineSeparator() + stack));
            } else if (why == null && !ctx.json()) {
                ctx.out.println(line(o.forgotten()));
            }
            Map<String, Object> doc = why == null ? document(o.forgotten()) : refusedDocument(o.backupId(), o.orgId(), why);
            doc.putIfAbsent("error", null);
            docs.add(doc);
        }
        List<String> refused = r.refused();
        List<String> notReached = r.notReached();
        String next = r.rest().isEmpty() ? null : "tenantctl backups forget " + String.join(" ", r.rest()) + (dryRun.on ? " --dry-run" : "")
                + Stores.onLine(ctx);
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("dry_run", dryRun.on);
            doc.put("forgotten", dryRun.on ? 0 : r.forgotten());
            if (dryRun.on) {
                doc.put("would_forget", r.forgotten());
            }
            doc.put("refused", refused.size());
            doc.put("failed", r.failed());
            doc.put("not_reached", r.notLookedAt()); // Ctrl-C while it waited: nothing done
            doc.put("interrupted", r.interrupted());
            doc.put("next", next);
            doc.put("backups", docs);
            Output.json(ctx.out, doc);
        } else {
            ctx.out.println((dryRun.on ? "dry run: would forget " : "forgot ") + r.forgotten() + " of " + io.tenantctl.Counted.of(r.outcomes().size(), "backup")
                    + (refused.isEmpty() ? "" : "; refused " + refused.size() + ": " + String.join(" ", refused))
                    + (r.stopper() == null ? "" : "; stopped at " + r.stopper().backupId())
                    + (notReached.isEmpty() ? "" : "; not reached " + notReached.size() + ": " + String.join(" ", notReached)));
        }
        if (!refused.isEmpty()) {
            String message = refused.size() + " of " + io.tenantctl.Counted.of(r.outcomes().size(), "backup") + " " + (dryRun.on ? "would not be" : "not")
                    + " forgotten (" + String.join(" ", refused) + "): each one's error line says why; " + (r.forgotten() == 0 ? "none" : r.forgotten())
                    + (dryRun.on ? " would be" : r.forgotten() <= 1 ? " was" : " were") + " forgotten"; // not 'the others': some may not be reached
            ctx.log("error", message, Map.of("exit_code", r.exitCode()), "error: " + message);
        }
        if (next != null) {
            String message = (r.interrupted() ? "stopped before " + String.join(" ", r.rest())
                    : "stopped at " + r.stopper().backupId() + " by its error above") + " (" + (dryRun.on ? "would forget " : "forgot ")
                    + r.forgotten() + " before it): '" + next + "' goes on" + (r.interrupted() ? "" : " once that is mended");
            ctx.log("error", message, Map.of("exit_code", r.exitCode()), (r.interrupted() ? "interrupted: " : "error: ") + message);
        }
        return r.exitCode();
    }

    private static Map<String, Object> document(Backups.Forgotten f) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("org_id", f.orgId());
        doc.put("backup_id", f.backupId());
        doc.put("forgotten", !f.dryRun());
        doc.put("dry_run", f.dryRun());
        doc.put("location", f.location());
        doc.put("data_files_left", f.dataFilesLeft());
        return doc;
    }

    /** A backup not forgotten, with the error document a forget of it alone prints. */
    private Map<String, Object> refusedDocument(String backupId, String orgId, TenantctlException why) {
        Map<String, Object> error = TenantCtl.error(why.category().exitCode, why.category().name().toLowerCase(Locale.ROOT),
                why.getMessage(), null); // as before: a forget's refusal in its list names no run
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("org_id", orgId);
        doc.put("backup_id", backupId);
        doc.put("forgotten", false);
        doc.put("dry_run", dryRun.on);
        doc.put("location", null);
        doc.put("data_files_left", false);
        doc.put("error", error);
        return doc;
    }

    private static String line(Backups.Forgotten f) {
        String left = f.dataFilesLeft() ? "; its data files left there without a manifest are an incomplete backup 'tenantctl backups "
                + "prune' deletes after its grace period" : "";
        return (f.dryRun() ? "dry run: would forget backup " : "forgot backup ") + f.backupId() + " of org " + f.orgId()
                + " (recorded complete, gone from " + f.location() + "): its catalog row " + (f.dryRun() ? "would be" : "is")
                + " kept as pruned, named by prune and verify no more" + left;
    }
}
