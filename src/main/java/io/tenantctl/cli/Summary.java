package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.fanout.Timings;
import io.tenantctl.ops.run.RunReport;

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
     * The -o json document of every fan-out verb: the same header first —
     * {@code run_id, verb, status, counts{outcome: n}, p50_ms, p95_ms, max_ms, orgs[{org_id, pool_id, outcome, attempts,
     * ms, error, …}]} — then the verb's own fields ({@code verbFields}: e.g. provisioned, schema_hash), {@code failed}
     * with each failure's next step, and {@code interrupted}. {@code report} is null for a dry run (status "dry_run").
     */
    static Map<String, Object> json(String verb, RunReport report, String runId, boolean dryRun, Map<String, Object> verbFields,
                                    List<Failure> failed, boolean interrupted, Timings t, List<?> orgs) {
        List<Map<String, Object>> lines = new java.util.ArrayList<>();
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Object o : orgs) {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = Output.JSON.convertValue(o, Map.class);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("org_id", fields.remove("org_id"));
            line.put("pool_id", fields.remove("pool_id"));
            line.put("outcome", fields.remove("outcome"));
            Object attempts = fields.remove("attempts");
            line.put("attempts", attempts == null ? 0 : attempts);
            line.put("ms", fields.containsKey("millis") ? fields.remove("millis") : fields.remove("ms"));
            line.put("error", fields.remove("error"));
            line.putAll(fields);
            lines.add(line);
            counts.merge(String.valueOf(line.get("outcome")), 1, Integer::sum);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("run_id", runId);
        doc.put("verb", verb);
        doc.put("status", dryRun ? "dry_run" : report == null ? null : report.statusText());
        doc.put("counts", counts);
        doc.put("p50_ms", t.p50());
        doc.put("p95_ms", t.p95());
        doc.put("max_ms", t.max());
        doc.put("orgs", lines);
        if (report != null && report.reason() != null) {
            doc.put("reason", report.reason());
        }
        doc.put("dry_run", dryRun);
        doc.putAll(verbFields);
        doc.put("failed", failed.stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("org_id", f.orgId());
            m.put("pool_id", f.poolId());
            m.put("error", String.valueOf(f.error()));
            m.put("next_step", f.nextStep());
            return m;
        }).toList());
        doc.put("interrupted", interrupted);
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
