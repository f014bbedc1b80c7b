package io.tenantctl.cli;

import io.tenantctl.ops.Pools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "set-uri", description = {"Replace a pool's URI: a moved host, a new credential variable, or a URI that held secrets inline.",
        "Same rules as 'pools add': secrets only as ${ENV} placeholders."})
final class PoolsSetUriCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "The pool whose URI changes.")
    String name;

    @Mixin
    PoolUriOptions target;

    @Destroys
    @Option(names = "--force", description = {"Set it even though the new server lacks (or cannot list) the databases of orgs on the pool "
            + "(their data is to be restored there)."})
    boolean force;

    @Mixin
    DryRunOption dryRun;

    PoolsSetUriCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        PoolsCommand.renderChange(ctx, new Pools(ctx.ops()).setUri(name, target.uri, target.allowInlinePassword,
                target.allowUnreachable, force, dryRun.on), "set the URI of");
        return 0;
    }
}
