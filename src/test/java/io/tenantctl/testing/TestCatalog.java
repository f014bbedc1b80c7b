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
 * jdbc:postgresql:// URL of a user allowed to create databases) — and a fresh, empty database per caller, dropped once
 * its test class has ended ({@link DropTestDatabases}).
 *
 * <p>The embedded server keeps its files in memory (/dev/shm, where there is one) and does not sync them: a test suite's
 * catalogs are thrown away, and on the 2-core machines CI runs on, copying each test's database on disk took 100–120 ms
 * of the kernel's time (30 ms in memory) with three test JVMs contending for both cores.
 */
public final class TestCatalog {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** The databases made since the last test class ended, which {@link #dropCreated()} drops. */
    private static final java.util.List<String> CREATED = new java.util.ArrayList<>();
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
                    data = dataDirectory();
                    embedded = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
                            .setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off")
                            .setServerConfig("full_page_writes", "off").start();
                } catch (IOException e) {
                    throw new UncheckedIOException("embedded PostgreSQL did not start", e);
                }
                serverUrl = embedded.getJdbcUrl("postgres", "postgres");
                java.util.Optional<ProcessHandle> postmaster = postmaster(data);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        embedded.close(); // returns at once when the embedded server's own hook is stopping it
                    } catch (IOException ignored) {
                        // the JVM is going away
                    }
                    // its files go only once it has stopped: deleted under a server shutting down, they left it running
                    // for ever (three of them after a full run, the memory of their deleted files held)
                    postmaster.ifPresent(TestCatalog::awaitStopped);
                    removeAfterExit(data);
                }));
            }
        }
        return serverUrl;
    }

    private static final String DATA_PREFIX = "tenantctl-test-catalog";

    /**
     * A new directory for the server's files: in /dev/shm where it is a directory this user can write (after deleting
     * the ones there whose server is gone: a test JVM killed outright leaves its directory, which would hold memory until
     * a reboot), else in the temporary directory.
     */
    private static java.nio.file.Path dataDirectory() throws IOException {
        java.nio.file.Path shm = java.nio.file.Path.of("/dev/shm");
        if (!java.nio.file.Files.isDirectory(shm) || !java.nio.file.Files.isWritable(shm)) {
            return java.nio.file.Files.createTempDirectory(DATA_PREFIX);
        }
        try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(shm)) {
            left.filter(d -> d.getFileName().toString().startsWith(DATA_PREFIX) && !serverRuns(d)).forEach(d -> {
                try {
                    Trees.delete(d);
                } catch (IOException | RuntimeException e) {
                    System.err.println("could not delete " + d + ": " + e.getMessage());
                }
            });
        }
        return java.nio.file.Files.createTempDirectory(shm, DATA_PREFIX);
    }

    /**
     * Whether data directory {@code d} may be in use: made in the last ten minutes (another test JVM may be running
     * initdb there, whose passes leave a postmaster.pid naming a process that has ended), or its postmaster.pid names a
     * live process.
     */
    private static boolean serverRuns(java.nio.file.Path d) {
        try {
            if (java.nio.file.Files.getLastModifiedTime(d).toInstant().isAfter(java.time.Instant.now().minusSeconds(600))) {
                return true;
            }
            java.util.OptionalLong pid = postmasterPid(d);
            return pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | RuntimeException e) {
            return true; // when in doubt, it is left alone
        }
    }

    /**
     * Drops every database made since the last call, but the initialised one the others are copied from; its test class
     * has ended, and whatever it left connected (a child process, a detached worker) is disconnected.
     */
    public static void dropCreated() {
        closeSessions();
        java.util.List<String> names;
        synchronized (CREATED) {
            names = new java.util.ArrayList<>(CREATED);
            CREATED.clear();
        }
        if (names.isEmpty()) {
            return;
        }
        try {
            onServer(s -> {
                for (String name : names) {
                    s.execute("drop database if exists " + name + " with (force)");
                }
            });
        } catch (SQLException e) {
            System.err.println("could not drop the test databases " + names + ": " + e.getMessage());
        }
    }

    /** The embedded server's postmaster, as its postmaster.pid names it. */
    private static java.util.Optional<ProcessHandle> postmaster(java.nio.file.Path data) {
        try {
            java.util.OptionalLong pid = postmasterPid(data);
            return pid.isPresent() ? ProcessHandle.of(pid.getAsLong()) : java.util.Optional.empty();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** The pid the first line of {@code data}'s postmaster.pid gives; empty when there is no such file. */
    private static java.util.OptionalLong postmasterPid(java.nio.file.Path data) throws IOException {
        java.nio.file.Path pidFile = data.resolve("postmaster.pid");
        return java.nio.file.Files.exists(pidFile)
                ? java.util.OptionalLong.of(Long.parseLong(java.nio.file.Files.readAllLines(pidFile).get(0).trim()))
                : java.util.OptionalLong.empty();
    }

    /** Waits (bounded) for {@code postmaster} to end; one still running then is shut down at once (SIGQUIT). */
    private static void awaitStopped(ProcessHandle postmaster) {
        try {
            postmaster.onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            try {
                new ProcessBuilder("kill", "-QUIT", String.valueOf(postmaster.pid())).start().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                postmaster.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the JVM is going away; the directory is removed anyway
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException ignored) {
            // onExit does not fail
        }
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

    /** {@link #session(String)}'s connections, by URL, until their test class ends. */
    private static final java.util.Map<String, Connection> SESSIONS = new java.util.HashMap<>();

    /**
     * One connection to the catalog at {@code url} (a JDBC URL) that fixtures share until the test class ends, for what they
     * set up or look up by SQL many times: each new session costs the catalog a backend start (~20 ms here, on the test's
     * cores) and a tenantctl command run for it costs ~0.1 s of CPU more. Opened again when the catalog ended it.
     * Callers synchronize on it.
     */
    public static Connection session(String url) {
        synchronized (SESSIONS) {
            try {
                Connection c = SESSIONS.get(url);
                if (c == null || !c.isValid(5)) {
                    c = DriverManager.getConnection(url);
                    SESSIONS.put(url, c);
                }
                return c;
            } catch (SQLException e) {
                throw new IllegalStateException("cannot connect to the test catalog", e);
            }
        }
    }

    private static void closeSessions() {
        synchronized (SESSIONS) {
            for (Connection c : SESSIONS.values()) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // its database is dropped next
                }
            }
            SESSIONS.clear();
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
                synchronized (CREATED) {
                    CREATED.remove(name); // kept for the whole JVM
                }
            }
        }
        return url(create(initialised));
    }

    /** Creates a database as a copy of {@code template}; returns its name. */
    private static String create(String template) {
        String name = "t_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try {
            onServer(s -> s.execute("create database " + name + " template " + template));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database", e);
        }
        synchronized (CREATED) {
            CREATED.add(name);
        }
        return name;
    }

    /** A statement on the server's own database. */
    private interface ServerWork {
        void run(Statement s) throws SQLException;
    }

    /** The one session on the server's own database that creates and drops every test database of this JVM. */
    private static Connection admin;

    /**
     * Runs {@code work} on that session, opened once: a session costs the server ~20 ms of CPU on these machines, and a
     * test JVM creates and drops a thousand databases (opened for each, they were a tenth of the suite's sessions).
     */
    private static synchronized void onServer(ServerWork work) throws SQLException {
        if (admin == null || !admin.isValid(5)) {
            admin = DriverManager.getConnection(server());
        }
        try (Statement s = admin.createStatement()) {
            work.run(s);
        }
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
