package io.tenantctl.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** A catalog statement's plan as PostgreSQL ran it, for the tests of what a statement reads as history grows. */
final class Explained {

    private Explained() {
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of {@code sql} with {@code params} on the catalog at {@code url}, in a transaction rolled back. */
    static JsonNode plan(String url, String sql, Object... params) throws Exception {
        return plan(url, false, sql, params);
    }

    /**
     * As {@link #plan(String, String, Object...)}; {@code noSeqScan}: with sequential scans priced out (enable_seqscan
     * off), so the plan shows whether an index serves the statement at all, whatever the table's size makes cheapest.
     */
    static JsonNode plan(String url, boolean noSeqScan, String sql, Object... params) throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            if (noSeqScan) {
                try (java.sql.Statement s = c.createStatement()) {
                    s.execute("set local enable_seqscan = off");
                }
            }
            try (PreparedStatement ps = c.prepareStatement("explain (analyze, buffers, format json) " + sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new ObjectMapper().readTree(rs.getString(1)).get(0).get("Plan");
                } finally {
                    c.rollback();
                }
            }
        }
    }

    /** The indexes the plan (its subplans included) reads, each as "name: its Index Cond", empty when it is read whole. */
    static java.util.List<String> indexesRead(JsonNode plan) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (plan.has("Index Name")) {
            out.add(plan.get("Index Name").asText() + ": " + (plan.has("Index Cond") ? plan.get("Index Cond").asText() : ""));
        }
        if (plan.has("Plans")) {
            plan.get("Plans").forEach(p -> out.addAll(indexesRead(p)));
        }
        return out;
    }

    /** Shared pages the statement touched (hit or read), its subplans included. */
    static long pages(JsonNode plan) {
        return plan.get("Shared Hit Blocks").asLong() + plan.get("Shared Read Blocks").asLong();
    }
}
