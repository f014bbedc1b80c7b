package io.tenantctl.sandbox;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import io.tenantctl.cli.TenantCtl;
import io.tenantctl.testing.standin.StandIn;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The local sandbox, in one JVM: an embedded PostgreSQL catalog and N MongoDB-wire pools (the patched stand-in,
 * {@link StandIn}),
 * all on loopback, with data kept under the sandbox directory so a restart keeps it. It initialises the catalog,
 * registers pool-1..pool-N, writes {@code env} (shell exports) and {@code ready}, then runs until
 * {@code scripts/sandbox down}. Lives with the test sources: it is not part of the shipped CLI jar.
 *
 * <p>Usage: {@code Sandbox DIR [--pools N] [--latency-ms MS] [--memory]}
 */
public final class Sandbox {

    private Sandbox() {
    }

    /** What {@code scripts/sandbox up} was given; a value it cannot take is {@link BadOption}, said in one line, exit 2. */
    record Options(Path dir, int pools, long latencyMs, boolean memory) {

        static final String USAGE = "scripts/sandbox up [--pools N] [--latency-ms MS] [--memory]";

        static Options parse(String... args) {
            if (args.length == 0) {
                throw new BadOption("no sandbox directory given: run it as " + USAGE);
            }
            int pools = 2;
            long latencyMs = 0;
            boolean memory = false;
            for (int i = 1; i < args.length; i++) {
                switch (args[i]) {
                    case "--pools" -> pools = (int) number(args, ++i, "--pools", "a whole number of pools, 1 or more",
                            1, Integer.MAX_VALUE);
                    case "--latency-ms" -> latencyMs = number(args, ++i, "--latency-ms",
                            "a whole number of milliseconds, 0 or more", 0, Long.MAX_VALUE);
                    case "--memory" -> memory = true;
                    default -> throw new BadOption("unknown sandbox option '" + args[i] + "': it takes " + USAGE);
                }
            }
            return new Options(Path.of(args[0]).toAbsolutePath(), pools, latencyMs, memory);
        }

        private static long number(String[] args, int i, String option, String takes, long min, long max) {
            if (i >= args.length) {
                throw new BadOption(option + " needs a value: " + takes);
            }
            try {
                long v = Long.parseLong(args[i].strip());
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // said below
            }
            throw new BadOption(option + " takes " + takes + " (got '" + args[i] + "')");
        }
    }

    /** A value the sandbox cannot take: one line for the operator, exit 2. */
    static final class BadOption extends RuntimeException {
        BadOption(String message) {
            super(message);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (BadOption e) {
            System.err.println("sandbox: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path dir = options.dir();
        int pools = options.pools();
        long latencyMs = options.latencyMs();
        boolean memory = options.memory();
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("ready"));
        Properties ports = loadPorts(dir);

        String password = catalogPassword(dir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("pg"))
                .setCleanDataDirectory(false)
                .setPort(port(ports, "catalog"))
                .setConnectConfig("password", password) // its readiness check, once the server asks for it
                .setServerConfig("unix_socket_permissions", "0700")
                .start();
        lockDown(pg, dir.resolve("pg"), password);
        List<MongoServer> servers = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        for (int i = 1; i <= pools; i++) {
            MongoBackend backend = memory ? StandIn.memory() : StandIn.h2(dir.resolve("pool-" + i + ".mv").toString());
            MongoServer server = new MongoServer(withLatency(backend, latencyMs));
            server.bind("127.0.0.1", port(ports, "pool-" + i));
            servers.add(server);
            uris.add("mongodb://127.0.0.1:" + server.getLocalAddress().getPort());
        }
        savePorts(dir, ports);

        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            servers.forEach(MongoServer::shutdown);
            try {
                pg.close();
            } catch (IOException ignored) {
                // going away anyway
            }
            stop.countDown();
        }, "sandbox-shutdown"));

        String catalogUrl = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres?user=postgres&password=";
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("TENANTCTL_CATALOG_URL", catalogUrl + password);
        tenantctl(env, "init");
        for (int i = 1; i <= pools; i++) {
            if (tenantctl(env, "pools", "show", "pool-" + i) != 0) {
                tenantctl(env, "pools", "add", "pool-" + i, "--uri", uris.get(i - 1), "--capacity", "500");
            }
        }
        Path store = dir.resolve("store");
        Files.createDirectories(store);
        // the password is read from its file when env is sourced: 'scripts/sandbox up' prints env, never the password
        Files.writeString(dir.resolve("env"), String.join("\n",
                "export TENANTCTL_CATALOG_URL=\"" + catalogUrl + "$(cat '" + dir.resolve(PASSWORD_FILE) + "')\"",
                "export TENANTCTL_STORE='" + store.toUri() + "'",
                "export SANDBOX_POOL_URIS='" + String.join(" ", uris) + "'",
                "export SANDBOX_LATENCY_MS='" + latencyMs + "'",
                ""));
        Files.writeString(dir.resolve("ready"), ProcessHandle.current().pid() + "\n");
        stop.await();
    }

    private static final String PASSWORD_FILE = "catalog.password";

    /**
     * The catalog's superuser password, made once (random, in {@code DIR/catalog.password}, readable by this user only).
     * The embedded server trusted every connection to 127.0.0.1 as its superuser, which may run programs as the OS
     * user ({@code copy … to program}): any user of a shared machine could act as whoever started a sandbox.
     */
    private static String catalogPassword(Path dir) throws IOException {
        Path file = dir.resolve(PASSWORD_FILE);
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        byte[] random = new byte[24];
        new java.security.SecureRandom().nextBytes(random);
        String password = java.util.HexFormat.of().formatHex(random);
        Path tmp = dir.resolve(PASSWORD_FILE + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, password + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return password;
    }

    /**
     * Sets the superuser's password and has the server ask for it on every connection (a data directory made by an
     * older sandbox, or just now by initdb, trusts them all); idempotent.
     */
    private static void lockDown(EmbeddedPostgres pg, Path data, String password) throws IOException, java.sql.SQLException {
        try (java.sql.Connection c = pg.getPostgresDatabase().getConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute("set password_encryption = 'scram-sha-256'");
            st.execute("alter role postgres password '" + password + "'"); // hex: nothing to quote
            Files.writeString(data.resolve("pg_hba.conf"), String.join("\n",
                    "# written by the sandbox: every connection gives the password in catalog.password",
                    "local all all scram-sha-256",
                    "host all all 127.0.0.1/32 scram-sha-256",
                    "host all all ::1/128 scram-sha-256", ""));
            st.execute("select pg_reload_conf()");
        }
    }

    /** {@code backend}, with every wire command delayed by {@code latencyMs} when that is positive. */
    public static MongoBackend withLatency(MongoBackend backend, long latencyMs) {
        return latencyMs > 0 ? new LatencyBackend(backend, latencyMs) : backend;
    }

    private static int tenantctl(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TenantCtl.run(new PrintWriter(out), new PrintWriter(err), env, args);
        if (code != 0 && !(args.length > 1 && args[1].equals("show"))) {
            throw new IllegalStateException("tenantctl " + String.join(" ", args) + " failed (" + code + "): " + err);
        }
        return code;
    }

    private static Properties loadPorts(Path dir) throws IOException {
        Properties p = new Properties();
        Path f = dir.resolve("ports.properties");
        if (Files.exists(f)) {
            try (var r = Files.newBufferedReader(f)) {
                p.load(r);
            }
        }
        return p;
    }

    private static void savePorts(Path dir, Properties p) throws IOException {
        try (var w = Files.newBufferedWriter(dir.resolve("ports.properties"))) {
            p.store(w, "ports the sandbox binds, kept so a restart keeps its URIs");
        }
    }

    /** The port recorded for {@code name}, or a free one (then recorded). */
    private static int port(Properties ports, String name) throws IOException {
        String known = ports.getProperty(name);
        if (known != null) {
            return Integer.parseInt(known);
        }
        try (ServerSocket s = new ServerSocket(0)) {
            int port = s.getLocalPort();
            ports.setProperty(name, String.valueOf(port));
            return port;
        }
    }
}
