package io.tenantctl.testing;

import io.tenantctl.catalog.Catalog;
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
    /** The database {@link #initialisedDatabase()} copies, once it exists. */
    private static String initialised;

    private TestCatalog() {
    }

    private static synchronized String server() {
        if (serverUrl == null) {
            String external = System.getenv("TENANTCTL_TEST_CATALOG_URL");
            if (external != null && !external.isBlank()) {
                serverUrl = external;
            } else {
                java.nio.file.Path data;
                try {
                    data = java.nio.file.Files.createTempDirectory("tenantctl-test-catalog");
                    embedded = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
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
                    removeAfterExit(data);
                }));
            }
        }
        return serverUrl;
    }

    /**
     * Removes the server's data directory once this JVM has gone, by an {@code rm -rf} left running: a test JVM creates
     * hundreds of databases (~300 files each), which the embedded server's own clean-up deleted file by file from the
     * shutdown hook for longer than surefire waits after the tests (30 s; it killed both forks at the end of every full
     * run, and the directory stayed half deleted). Where there is no {@code rm}, it is deleted here.
     */
    private static void removeAfterExit(java.nio.file.Path data) {
        try {
            new ProcessBuilder("rm", "-rf", data.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException noRm) {
            try {
                Trees.delete(data);
            } catch (IOException | RuntimeException e) {
                System.err.println("could not delete " + data + ": " + e.getMessage());
            }
        }
    }

    /** Runs one statement on the catalog at {@code url}: what a dead worker or an hour's wait left, written by hand. */
    public static void execute(String url, String statement) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement, e);
        }
    }

    /**
     * The catalog server's clock as the catalog at {@code url} reads it, {@code by} ahead of this JVM's (negative: behind):
     * every {@code now()} its statements call, in every session opened from here on, is shadowed by one that adds
     * {@code by} (a function {@code now()} in a schema searched before pg_catalog). Column defaults keep the real clock:
     * rows they stamped read as stamped {@code by} earlier. What a worker or cron host whose clock is off sees.
     */
    public static void skewClock(String url, java.time.Duration by) {
        execute(url, "create schema if not exists skewed_clock");
        execute(url, "create or replace function skewed_clock.now() returns timestamptz language sql stable as "
                + "'select pg_catalog.now() + make_interval(secs => " + by.toSeconds() + ")'");
        execute(url, "do $$ begin execute format('alter database %I set search_path = skewed_clock, pg_catalog, \"$user\", public', "
                + "current_database()); end $$");
    }

    /** A new empty database; returns its JDBC URL (credentials, if any, as URL parameters). */
    public static String newDatabase() {
        return url(create("template1"));
    }

    /**
     * A new database holding an initialised catalog (as {@code tenantctl init} leaves it); returns its JDBC URL. The
     * first call of a JVM migrates one database, every call copies it ({@code create database … template …}): a copy
     * takes about 30 ms where migrating takes about 300, and hundreds of tests start from an initialised catalog. Every copy
     * has the same catalog id (the one its template's migration made), as a catalog restored from a dump keeps its own:
     * catalogs that must tell each other's backups apart are made with {@link #newDatabase()} and {@code tenantctl init}.
     */
    public static String initialisedDatabase() {
        synchronized (TestCatalog.class) {
            if (initialised == null) {
                String name = create("template1");
                try (Catalog c = Catalog.connect(url(name))) {
                    c.migrate();
                }
                initialised = name;
            }
        }
        return url(create(initialised));
    }

    /** Creates a database as a copy of {@code template}; returns its name. */
    private static String create(String template) {
        String name = "t_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(server()); Statement s = c.createStatement()) {
            s.execute("create database " + name + " template " + template);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database", e);
        }
        return name;
    }

    /** The JDBC URL of database {@code name} on the server (with the server URL's parameters). */
    private static String url(String name) {
        String base = server();
        int q = base.indexOf('?');
        String noQuery = q < 0 ? base : base.substring(0, q);
        String query = q < 0 ? "" : base.substring(q);
        return noQuery.substring(0, noQuery.lastIndexOf('/') + 1) + name + query;
    }
}
