package io.tenantctl.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One PostgreSQL server per test JVM — embedded, or the one named by TENANTCTL_TEST_CATALOG_URL (a
 * jdbc:postgresql:// URL of a user allowed to create databases) — and a fresh, empty database per caller.
 */
public final class TestCatalog {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres embedded;
    private static String serverUrl;

    private TestCatalog() {
    }

    private static synchronized String server() {
        if (serverUrl == null) {
            String external = System.getenv("TENANTCTL_TEST_CATALOG_URL");
            if (external != null && !external.isBlank()) {
                serverUrl = external;
            } else {
                try {
                    embedded = EmbeddedPostgres.builder().start();
                } catch (IOException e) {
                    throw new UncheckedIOException("embedded PostgreSQL did not start", e);
                }
                serverUrl = embedded.getJdbcUrl("postgres", "postgres");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        embedded.close();
                    } catch (IOException ignored) {
                        // the JVM is going away
                    }
                }));
            }
        }
        return serverUrl;
    }

    /** A new empty database; returns its JDBC URL (credentials, if any, as URL parameters). */
    public static String newDatabase() {
        String base = server();
        String name = "t_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database", e);
        }
        int q = base.indexOf('?');
        String noQuery = q < 0 ? base : base.substring(0, q);
        String query = q < 0 ? "" : base.substring(q);
        return noQuery.substring(0, noQuery.lastIndexOf('/') + 1) + name + query;
    }
}
