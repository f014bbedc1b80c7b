package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.OrgLifecycle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "delete", description = {"Soft-delete an org: a final backup to the store, then status deleting.",
        "The store is --store / TENANTCTL_STORE; the org is read_only meanwhile. Its database is kept until "
        + "'tenantctl orgs purge'; until then 'tenantctl orgs resume ORG' takes the org back. A failed backup refuses the delete. "
        + "Without a store, refused unless --no-backup."})
final class OrgsDeleteCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "ORG", description = "The org to delete (soft: its database stays until purge).")
    String orgId;

    @Destroys
    @Option(names = "--no-backup", description = "Delete without a final backup (required when no store is configured).")
    boolean noBackup;

    @Option(names = "--wait", description = "If another operation holds the org, wait for it instead of exiting 3.")
    boolean waitForOrg;

    @Mixin
    DryRunOption dryRun;

    OrgsDeleteCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        OrgLifecycle.Deleted d = new OrgLifecycle(ctx.ops()).delete(orgId, ctx.resolveStoreUrl(), Stores.onLine(ctx), ctx.effectiveEnv(), noBackup, dryRun.on,
                waitForOrg, ctx.cancel);
        if (ctx.json()) {
            Output.json(ctx.out, d);
            return 0;
        }
        String backup = d.backupId() != null ? "final backup " + d.backupId() + " (run " + d.backupRunId() + ") at " + d.backupLocation()
                : d.dryRun() && d.backupLocation() != null ? "a final backup to " + d.backupLocation() : "no final backup (" + d.backupSkipped() + ")";
        if ("already deleting".equals(d.backupSkipped())) {
            ctx.out.println((d.deletedAt() == null ? "dry run: once the delete it would wait for (--wait) is done, org " + d.orgId()
                    + " is already deleting: nothing to do" : (d.dryRun() ? "dry run: " : "") + "org " + d.orgId() + " is already deleting (since "
                    + d.deletedAt() + ")")
                    + "; its database " + d.databaseName()
                    + " is dropped by 'tenantctl orgs purge' ('tenantctl orgs resume " + d.orgId() + "' takes it back until then)");
        } else if (d.databaseGone()) { // a delete a restored catalog lost: nothing is kept, whatever a live delete keeps
            ctx.out.println((d.dryRun() ? "dry run: org " + d.orgId() + " (" + d.statusBefore() + ") would be deleting, " : "org " + d.orgId()
                    + " is deleting (was " + d.statusBefore() + "), ") + backup + "; its database " + d.databaseName() + " is already gone from pool "
                    + d.poolId() + ": nothing is kept, and 'tenantctl orgs resume " + d.orgId() + "' cannot take it back"
                    + (d.dryRun() ? "; nothing written" : ""));
        } else if (d.dryRun()) {
            ctx.out.println("dry run: org " + d.orgId() + " (" + d.statusBefore() + ") would get " + backup + ", then be deleting; its database "
                    + d.databaseName() + " on pool " + d.poolId() + " would be kept until 'tenantctl orgs purge'; nothing written");
        } else {
            ctx.out.println("org " + d.orgId() + " is deleting (was " + d.statusBefore() + "), " + backup + "; its database " + d.databaseName()
                    + " on pool " + d.poolId() + " is kept until 'tenantctl orgs purge' ('tenantctl orgs resume " + d.orgId()
                    + "' takes it back until then)");
        }
        return 0;
    }
}
