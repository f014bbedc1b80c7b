package io.tenantctl.cli;

import io.tenantctl.fanout.Timings;

import java.util.List;

/** The per-org timing lines every fan-out verb ends with. */
final class Summary {

    private Summary() {
    }

    static void timings(CliContext ctx, Timings t, List<String> slowest) {
        if (t.count() == 0) {
            return;
        }
        ctx.out.println("per org: " + t + (slowest.isEmpty() ? "" : "; slowest: " + String.join(", ", slowest)));
        if (t.slow()) {
            ctx.err.println("warning: median " + t.p50() + " ms per org is above " + Timings.SLOW_MEDIAN_MILLIS
                    + " ms: check the pools' PostgreSQL for catalog pressure (n_dead_tup, buffers_backend, documentdb_api_catalog.collections)");
            ctx.err.flush();
        }
    }
}
