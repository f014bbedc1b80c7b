package io.tenantctl.pool;

import io.tenantctl.TenantctlException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The pressure signals of a pool's own PostgreSQL (the original investigation's): dead tuples over the user tables,
 * backend buffer writes, and the size of DocumentDB's collection catalog. A signal the server does not have (PG 17
 * moved buffers_backend out of pg_stat_bgwriter; a PostgreSQL without DocumentDB) is null, shown as n/a.
 */
public final class PoolPressure {

    /** Warn past this many dead tuples: autovacuum is not keeping up. */
    public static final long DEAD_TUPLES_WARN = 1_000_000;
    /** Warn past this many DocumentDB collections: the catalog itself becomes the bottleneck. */
    public static final long COLLECTIONS_WARN = 50_000;

    public record Signals(Long deadTuples, Long buffersBackend, Long documentdbCollections) {
    }

    private PoolPressure() {
    }

    /** Reads the signals; an unreachable server is a CONFIG error naming host:port/db, never the password. */
    public static Signals read(String poolId, AdminUrl url, java.util.Map<String, String> env) {
        AdminUrl.Resolved r = url.resolve(poolId, env);
        Properties props = new Properties();
        if (r.user() != null) {
            props.setProperty("user", r.user());
        }
        if (r.password() != null) {
            props.setProperty("password", r.password());
        }
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "15");
        props.setProperty("ApplicationName", "tenantctl-pools-stats");
        try (Connection c = DriverManager.getConnection(r.jdbcUrl(), props)) {
            c.setReadOnly(true);
            Long dead = one(c, "select coalesce(sum(n_dead_tup), 0) from pg_stat_user_tables");
            Long backend = hasColumn(c, "pg_stat_bgwriter", "buffers_backend") ? one(c, "select buffers_backend from pg_stat_bgwriter") : null;
            Long collections = exists(c, "documentdb_api_catalog.collections")
                    ? one(c, "select count(*) from documentdb_api_catalog.collections") : null;
            return new Signals(dead, backend, collections);
        } catch (SQLException e) {
            throw TenantctlException.config("pool " + poolId + ": admin PostgreSQL " + url.describe() + " did not answer: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("").replaceAll("(?i)password[^ ]*", "password=***"), e);
        }
    }

    private static Long one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    private static boolean exists(Connection c, String relation) throws SQLException {
        try (var ps = c.prepareStatement("select to_regclass(?) is not null")) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static boolean hasColumn(Connection c, String view, String column) throws SQLException {
        try (var ps = c.prepareStatement("select 1 from information_schema.columns where table_schema = 'pg_catalog' "
                + "and table_name = ? and column_name = ?")) {
            ps.setString(1, view);
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
