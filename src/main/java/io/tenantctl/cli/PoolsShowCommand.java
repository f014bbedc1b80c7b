package io.tenantctl.cli;

import io.tenantctl.ops.Pools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "show", description = "Show one pool: URI (without password), status, org count.")
final class PoolsShowCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "The pool (see 'tenantctl pools list').")
    String name;

    PoolsShowCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        PoolsCommand.render(ctx, new Pools(ctx.catalog()).show(name));
        return 0;
    }
}
