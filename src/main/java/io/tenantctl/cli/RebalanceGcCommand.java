package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Rebalance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "gc", description = {"Drop databases no org points at any more: the one place tenantctl drops retired data.",
        "Sources retained by moves and databases replaced by restores (once retired longer than --older-than), and "
        + "targets left by aborted moves. Never a database an org's pointer names. One kept for a person (written since its move, ...) makes it exit 1, unless its verify finding is acked "
        + "('tenantctl verify ack ID'): a person looked and keeps it; still kept and listed, exit 0 ('verify unack ID' undoes it)."})
final class RebalanceGcCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Option(names = "--older-than", paramLabel = "DURATION", defaultValue = "7d", converter = DurationConverter.class,
            description = "Only databases retired longer ago than this (e.g. 12h, 7d; 0 = all).")
    Duration olderThan;

    @ActsOn
    @Option(names = "--drop-changed", paramLabel = "POOL/DATABASE", split = ",", description = {"Also drop this retained move source "
            + "(or reverted target) though it was written after the move (kept otherwise: those writes are in no other "
            + "database; merge them into the org first), or this aborted move's target holding more than its process could "
            + "write after the rollback (kept otherwise: make sure it is nobody's first). Repeatable; only the databases named."})
    List<String> dropChanged = new java.util.ArrayList<>();

    @Mixin
    DryRunOption dryRun;

    RebalanceGcCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Rebalance.GcResult r = new Rebalance(ctx.ops()).gc(olderThan, dryRun.on, java.util.Set.copyOf(dropChanged), ctx.cancel);
        // skipped: busy, or undecided (a pool down): kept and still recorded, as purge's, exit 1 to run it again; kept
        // for a person (written since its move, no ledger, more than its move wrote): exit 1, as purge's kept, so that a
        // gc run from cron says it needs someone; the last line says which (and how many wait within --older-than: exit 0)
        int exit = r.interrupted() ? TenantCtl.EXIT_INTERRUPTED : r.failed() ? 1 : 0;
        long dropped = r.items().stream().filter(i -> i.action().equals(r.dryRun() ? "would_drop" : "dropped")).count();
        // a dry run's way on, once it would drop something: the gc it previews, as given
        io.tenantctl.NextStep next = !r.dryRun() || dropped == 0 ? null : io.tenantctl.NextStep.run(Rebalance.gcCommand(olderThan, dropChanged),
                "the gc this dry run previews: it drops the " + io.tenantctl.Counted.of(dropped, "database") + " listed would_drop");
        if (ctx.json()) {
            Output.json(ctx.out, withNext(r, next));
            return interrupted(r, exit);
        }
        Output.table(ctx.out, List.of("pool", "database", "org", "kind", "action", "detail"),
                r.items().stream().map(i -> Arrays.asList(i.poolId(), i.databaseName(), i.orgId(), i.kind(), i.action(),
                        detail(i.acked(), i.detail()))).toList());
        long kept = r.keptForAPerson();
        long acked = r.keptAcked();
        ctx.out.println((r.dryRun() ? "dry run: would drop " : "dropped ") + io.tenantctl.Counted.of(dropped, "database")
                + (kept == 0 ? "" : "; " + kept + (r.dryRun() ? " would be" : "") + " kept for a person to look at (see detail)")
                + (acked == 0 ? "" : "; " + acked + (r.dryRun() ? " would be" : "") + " kept, acked by a person (verify ack)")
                + (r.skippedOrFailed() == 0 ? "" : "; " + r.skippedOrFailed() + " skipped or failed: see detail, then run "
                        + (r.dryRun() ? "this dry run" : "gc") + " again")
                + (r.withinGrace() == 0 ? "" : "; " + r.withinGrace() + " within --older-than, not due yet: a later gc drops "
                        + io.tenantctl.Counted.them(r.withinGrace())));
        if (next != null) {
            ctx.out.println("next: " + next.text());
        }
        if (kept > 0) {
            ctx.err.println("note: to keep one on purpose without failing gc, ack its finding: 'tenantctl verify' lists it "
                    + "(retained_copy…, move_leftover), 'tenantctl verify ack ID --until DATE --reason TEXT' acks it");
            ctx.err.flush();
        }
        if (!r.unfinishedMoves().isEmpty()) {
            ctx.err.println("note: " + io.tenantctl.Counted.of(r.unfinishedMoves().size(), "unfinished move") + " (" + String.join(", ", r.unfinishedMoves())
                    + "): 'tenantctl rebalance resume' finishes or rolls " + io.tenantctl.Counted.them(r.unfinishedMoves().size()) + " back");
            ctx.err.flush();
        }
        return interrupted(r, exit);
    }

    /** gc's or purge's result as -o json gives it: its own fields, then {@code next_step} and {@code next_note} (a dry run's: the run it previews), null for none. */
    static java.util.Map<String, Object> withNext(Object result, io.tenantctl.NextStep next) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>(Output.JSON.convertValue(result, java.util.Map.class));
        doc.put("next_step", next == null ? null : next.command());
        doc.put("next_note", next == null ? null : next.note());
        return doc;
    }

    /** A kept database's detail, its ack (if a person acked its verify finding) before it, as gc and purge show it. */
    static String detail(Rebalance.GcAck acked, String detail) {
        return acked == null ? detail : "acked until " + acked.until() + " (" + acked.findingId() + ": " + acked.reason()
                + "; 'tenantctl verify unack " + acked.findingId() + "' undoes it): " + detail;
    }

    private int interrupted(Rebalance.GcResult r, int exit) {
        if (r.interrupted()) {
            ctx.err.println("interrupted: stopped before the databases marked kept; '" + r.next() + "' again goes on");
            ctx.err.flush();
        }
        return exit;
    }
}
