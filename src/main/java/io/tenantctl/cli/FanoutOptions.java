package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.fanout.Fanout;
import picocli.CommandLine.Option;

/** Concurrency knobs shared by every fan-out verb. */
final class FanoutOptions {

    @Option(names = "--per-pool", paramLabel = "N", defaultValue = "4", description = "Orgs worked on at once per pool.")
    int perPool;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "16", description = "Orgs worked on at once overall.")
    int concurrency;

    Fanout.Settings settings() {
        if (perPool < 1 || concurrency < 1) {
            throw TenantctlException.usage("--per-pool and --concurrency must be at least 1");
        }
        return new Fanout.Settings(perPool, concurrency, 0);
    }
}
