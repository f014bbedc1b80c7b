package io.tenantctl.cli;

import io.tenantctl.fanout.Timings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The per-org timing lines every fan-out verb ends with. */
final class Summary {

    private Summary() {
    }

    /** A failed org for the summary: its id, the pool it was on (or null), why, and the command that gets it moving again. */
    record Failure(String orgId, String poolId, String error, String nextStep) {
    }

    /**
     * The -o json summary fields every fan-out verb shares; {@code counts} (e.g. provisioned, unchanged) go between
     * the run's identity and its failures. Callers add their own fields (orgs, …) to the returned map.
     */
    static Map<String, Object> json(String runId, boolean dryRun, Map<String, Object> counts, List<Failure> failed,
                                    boolean interrupted, Timings t) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("run_id", runId);
        doc.put("dry_run", dryRun);
        doc.putAll(counts);
        doc.put("failed", failed.stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("org_id", f.orgId());
            m.put("pool_id", f.poolId());
            m.put("error", String.valueOf(f.error()));
            m.put("next_step", f.nextStep());
            return m;
        }).toList());
        doc.put("interrupted", interrupted);
        doc.put("p50_ms", t.p50());
        doc.put("p95_ms", t.p95());
        doc.put("max_ms", t.max());
        return doc;
    }

    /** One "failed: org on pool: why" line per failure, on stderr. */
    static void failures(CliContext ctx, List<Failure> failed) {
        for (Failure f : failed) {
            ctx.err.println("failed: " + f.orgId() + (f.poolId() == null ? "" : " on " + f.poolId()) + ": " + f.error());
            if (f.nextStep() != null) {
                ctx.err.println("  next: " + f.nextStep());
            }
        }
        ctx.err.flush();
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
