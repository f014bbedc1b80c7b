package io.tenantctl.cli;

import io.tenantctl.ops.Pools;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "add", description = "Register a pool. Put secrets in ${ENV} placeholders: they are resolved at connect time, never stored.")
final class PoolsAddCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Pool name, e.g. pool-3.")
    String name;

    @Option(names = "--uri", required = true, paramLabel = "URI", description = "mongodb:// URI, e.g. mongodb://app:${POOL3_PASSWORD}@ferret-3:27017/")
    String uri;

    @Option(names = "--capacity", defaultValue = "500", paramLabel = "N", description = "Most orgs placed here.")
    int capacity;

    @Option(names = "--priority", defaultValue = "100", paramLabel = "N", description = "Lower fills first.")
    int priority;

    @Option(names = "--allow-inline-password", description = {"Accept literal secrets in the URI (password, secret query options):",
            "tenantctl moves each into a ${TENANTCTL_POOL_<POOL>_<NAME>} placeholder and says which variables to set;",
            "the catalog never stores a secret."})
    boolean allowInlinePassword;

    @Option(names = "--dry-run", description = "Check the input and say what would be added; change nothing.")
    boolean dryRun;

    PoolsAddCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        PoolsCommand.renderChange(ctx, new Pools(ctx.catalog()).add(name, uri, capacity, priority, allowInlinePassword, dryRun), "add");
        return 0;
    }
}
