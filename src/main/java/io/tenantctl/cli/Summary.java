package io.tenantctl.cli;

import io.tenantctl.fanout.Timings;

import java.util.List;

/** The per-org timing lines every fan-out verb ends with. */
final class Summary {

    private Summary() {
    }

    /** Timing line with the catalog-pressure alarm (schema work: provision, migrate-all). */
    static void timings(CliContext ctx, Timings t, List<String> slowest) {
        timings(ctx, t, slowest, true);
    }

    /**
     * @param catalogAlarm warn when the median passes 500 ms per org — meaningful where per-org time is schema
     *                     work; not for backups, whose time follows the data
     */
    static void timings(CliContext ctx, Timings t, List<String> slowest, boolean catalogAlarm) {
        if (t.count() == 0) {
            return;
        }
        ctx.out.println("per org: " + t + (slowest.isEmpty() ? "" : "; slowest: " + String.join(", ", slowest)));
        if (catalogAlarm && t.slow()) {
            ctx.err.println("warning: median " + t.p50() + " ms per org is above " + Timings.SLOW_MEDIAN_MILLIS
                    + " ms: check the pools' PostgreSQL for catalog pressure (n_dead_tup, buffers_backend, documentdb_api_catalog.collections)");
            ctx.err.flush();
        }
    }
}
