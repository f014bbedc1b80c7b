package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Rebalance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "plan", description = {"Show the moves that would even out the pools. Changes nothing.",
        "Draining pools are emptied first, no pool goes past its capacity, and each move has its documents, bytes and "
        + "predicted freeze. Save it with -o json > plan.json and apply it with 'rebalance apply --plan plan.json'."})
final class RebalancePlanCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Mixin
    RebalanceCommand.PlanOptions plan;

    RebalancePlanCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Rebalance.Plan p = new Rebalance(ctx.ops()).plan(plan.request());
        if (ctx.json()) {
            Output.json(ctx.out, p);
            return 0;
        }
        render(ctx, p);
        return 0;
    }

    static void render(CliContext ctx, Rebalance.Plan p) {
        Output.table(ctx.out, List.of("pool", "status", "capacity", "orgs", "after", "load", "after_load"),
                p.pools().stream().map(l -> Arrays.asList(l.poolId(), l.status(), String.valueOf(l.capacity()), String.valueOf(l.orgsBefore()),
                        String.valueOf(l.orgsAfter()), String.valueOf(l.loadBefore()), String.valueOf(l.loadAfter()))).toList());
        ctx.out.println();
        Output.table(ctx.out, List.of("org", "from", "to", "docs", "bytes", "predicted_freeze_ms", "reason"),
                p.moves().stream().map(m -> Arrays.asList(m.orgId(), m.fromPool(), m.toPool(), String.valueOf(m.docs()), String.valueOf(m.bytes()),
                        String.valueOf(m.predictedFreezeMs()), m.reason())).toList());
        ctx.out.println(io.tenantctl.Counted.of(p.moves().size(), "move") + " by " + p.by() + " (threshold " + p.threshold() + "; predictions at "
                + String.format(java.util.Locale.ROOT, "%.2f", p.bytesPerMs() / 1000) + " MB/s" + ")");
        p.notes().forEach(n -> ctx.out.println("note: " + n));
    }
}
