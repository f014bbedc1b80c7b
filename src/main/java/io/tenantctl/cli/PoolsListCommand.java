package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Pools;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "list", description = "List pools with their fill.")
final class PoolsListCommand implements Callable<Integer> {

    private final CliContext ctx;

    PoolsListCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        List<Pools.View> pools = new Pools(ctx.catalog()).list();
        PoolsCommand.warnInlineSecrets(ctx, pools);
        if (ctx.json()) {
            Output.json(ctx.out, Map.of("pools", pools));
            return 0;
        }
        if (pools.isEmpty()) {
            ctx.out.println(PoolsCommand.NO_POOLS);
            return 0;
        }
        Output.table(ctx.out, List.of("pool", "status", "priority", "orgs", "capacity", "free", "uri"),
                pools.stream().map(p -> List.of(p.poolId(), p.status(), String.valueOf(p.priority()), String.valueOf(p.orgs()),
                        String.valueOf(p.capacity()), String.valueOf(p.free()), p.uri())).toList());
        return 0;
    }
}
