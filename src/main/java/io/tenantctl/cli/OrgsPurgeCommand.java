package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.OrgLifecycle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "purge", description = {"Drop the databases of orgs deleted longer ago than --older-than.",
        "Each org 'tenantctl orgs delete' marked deleting that long ago becomes deleted, and its database is dropped by the "
        + "same routine as 'rebalance gc', under the org's lease, once its newest backup is found whole in the store (--store or "
        + "TENANTCTL_STORE; with none, such an org is kept). Deleted orgs no longer count against their pool's capacity."})
final class OrgsPurgeCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Option(names = "--older-than", paramLabel = "DURATION", defaultValue = "30d", converter = DurationConverter.class,
            description = "Only orgs deleting for longer than this (e.g. 12h, 7d; 0 = all).")
    Duration olderThan;

    @ActsOn
    @Option(names = "--drop-changed", paramLabel = "ORG", split = ",", description = {"Also drop this deleting org's database though "
            + "it was written after its delete (kept otherwise: those writes are in no backup; save what you need first). "
            + "Repeatable; only the orgs named."})
    List<String> dropChanged = new java.util.ArrayList<>();

    @Mixin
    DryRunOption dryRun;

    OrgsPurgeCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        OrgLifecycle.Purged r = new OrgLifecycle(ctx.ops()).purge(olderThan, dryRun.on, java.util.Set.copyOf(dropChanged),
                ctx.resolveStoreUrl(), ctx.effectiveEnv(), ctx.cancel);
        int exit = r.interrupted() ? TenantCtl.EXIT_INTERRUPTED : r.failed() ? 1 : 0;
        long wouldDrop = r.dryRun() ? r.count("would_drop") : 0;
        // a dry run's way on, once it would drop something: the purge it previews, as given (a --store typed on the line
        // too, where it looks for the final backups; never --catalog, which may hold a password)
        io.tenantctl.NextStep next = wouldDrop == 0 ? null : io.tenantctl.NextStep.run(OrgLifecycle.command(olderThan, dropChanged)
                + Stores.onLine(ctx), "the purge this dry run previews: it drops the " + io.tenantctl.Counted.of(wouldDrop, "database") + " listed would_drop");
        // an interrupted purge goes on in the store it was given: a --store typed on the line, not TENANTCTL_STORE (as prune's)
        String goOn = r.next() == null ? null : r.next() + Stores.onLine(ctx);
        if (ctx.json()) {
            java.util.Map<String, Object> doc = RebalanceGcCommand.withNext(r, next);
            doc.put("next", goOn);
            Output.json(ctx.out, doc);
            return interrupted(r, goOn, exit);
        }
        Output.table(ctx.out, List.of("org", "pool", "database", "deleted", "action", "detail"),
                r.orgs().stream().map(o -> Arrays.asList(o.orgId(), o.poolId(), o.databaseName(),
                        o.deletedAt() == null ? null : o.deletedAt().toString(), o.action(),
                        RebalanceGcCommand.detail(o.acked(), o.detail()))).toList());
        long acked = r.keptAcked();
        ctx.out.println((r.dryRun() ? "dry run: would drop " + io.tenantctl.Counted.of(r.count("would_drop"), "database") + "; nothing written"
                : "purged " + io.tenantctl.Counted.of(r.count("dropped"), "org") + (exit == 0 ? "" : "; " + (r.count("failed") + r.count("skipped")
                + r.count("kept") - acked) + " not purged (see detail)"))
                + (acked == 0 ? "" : "; " + acked + (r.dryRun() ? " would be" : "") + " kept, acked by a person (verify ack)"));
        if (next != null) {
            ctx.out.println("next: " + next.text());
        }
        return interrupted(r, goOn, exit);
    }

    private int interrupted(OrgLifecycle.Purged r, String goOn, int exit) {
        if (r.interrupted()) {
            ctx.err.println("interrupted: stopped before the orgs marked kept; '" + goOn + "' again goes on");
            ctx.err.flush();
        }
        return exit;
    }
}
