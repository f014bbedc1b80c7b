package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Orgs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "list", description = "List orgs, optionally by pool, status and tier.")
final class OrgsListCommand implements Callable<Integer> {

    private final CliContext ctx;

    @ActsOn
    @Option(names = "--pool", paramLabel = "POOL", split = ",", description = "Only orgs on this pool (repeat or comma-separate).")
    List<String> pools = new java.util.ArrayList<>();

    @ActsOn
    @Option(names = "--status", paramLabel = "STATUS", description = "provisioning, active, read_only, moving, restoring, deleting, deleted, failed")
    String status;

    @ActsOn
    @Option(names = "--tier", paramLabel = "TIER", description = "Only orgs of this tier (as migrate-all --tier selects them).")
    String tier;

    OrgsListCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Orgs ops = new Orgs(ctx.catalog());
        long[] listed = {0};
        if (ctx.json()) { // a fleet's orgs, a page at a time: spooled, never all held
            Output.<Orgs.View>jsonList(ctx.out, "orgs", each -> listed[0] = ops.list(pools, status, tier, each));
        } else {
            Output.spooledTable(ctx.out, List.of("org", "pool", "database", "status", "tier", "schema"),
                    row -> listed[0] = ops.list(pools, status, tier, o -> row.accept(java.util.Arrays.asList(o.orgId(), o.poolId(),
                            o.databaseName(), o.status(), o.tier(), OrgsCommand.shortHash(o.schemaHash())))));
        }
        if (tier != null && listed[0] == 0) { // a mistyped tier lists nothing, as an empty one does: say which it is
            List<String> tiers = ops.tiers();
            if (!tiers.contains(tier)) {
                ctx.warn("no org is of tier " + tier + " (the orgs' tiers: " + (tiers.isEmpty() ? "none" : String.join(", ", tiers)) + ")");
            }
        }
        if (!ctx.json()) {
            ctx.note(io.tenantctl.Counted.of(listed[0], "org"));
        }
        return 0;
    }
}
