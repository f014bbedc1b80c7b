package io.tenantctl.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestCatalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared set-up for the CLI integration tests: an initialised catalog, pools registered through the CLI, a tiny manifest. */
final class CliFixture {

    /** Every org's line of a run, read back from its run's items (a report without lines holds none): while its catalog is open. */
    static List<io.tenantctl.ops.run.RunReport.Org> lines(io.tenantctl.ops.run.ReportLines lines) {
        List<io.tenantctl.ops.run.RunReport.Org> all = new java.util.ArrayList<>();
        lines.forEach(all::add);
        return all;
    }

    /** Two collections, three indexes: enough to exercise create + createIndexes without the 47-collection cost. */
    static final String SMALL_SCHEMA = """
            {"collections": [
              {"name": "users", "indexes": [
                {"name": "email_1", "key": {"email": 1}, "unique": true},
                {"name": "tenant_1_role_1", "key": {"tenant": 1, "role": 1}}
              ]},
              {"name": "messages", "indexes": [
                {"name": "conv_1_created_-1", "key": {"conversationId": 1, "createdAt": -1}}
              ]}
            ]}
            """;

    /** {@link #SMALL_SCHEMA} as the next release has it: one more index on users, username_1, unique (and sparse if asked). */
    static String smallSchemaWithUniqueUsername(boolean sparse) {
        return SMALL_SCHEMA.replace("{\"name\": \"tenant_1_role_1\", \"key\": {\"tenant\": 1, \"role\": 1}}",
                "{\"name\": \"tenant_1_role_1\", \"key\": {\"tenant\": 1, \"role\": 1}},\n"
                        + "    {\"name\": \"username_1\", \"key\": {\"username\": 1}, \"unique\": true" + (sparse ? ", \"sparse\": true}" : "}"));
    }

    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private CliFixture() {
    }

    /** A fresh catalog database, initialised: a copy of the one catalog each test JVM migrates ({@link TestCatalog#initialisedDatabase}). */
    static String initialisedCatalog() {
        return TestCatalog.initialisedDatabase();
    }

    /**
     * A fresh catalog with pool-0 ({@code pools}' first, room for twice the fleet) and a fleet of {@code orgs} active orgs on
     * it, org-000001 on, written by SQL (too many to provision one by one); each org's schema_hash is {@code schemaHash}, an
     * SQL expression of g, the org's number ("null": none recorded). Returns the catalog's URL.
     */
    static String fleetCatalog(io.tenantctl.testing.TestPools pools, int orgs, String schemaHash) {
        String url = initialisedCatalog();
        addPool(Cli.withCatalog(url), "pool-0", pools.uri(0), 2 * orgs, 1);
        sql(url, "insert into orgs (org_id, pool_id, database_name, status, tier, schema_hash) select 'org-' || lpad(g::text, 6, '0'), "
                + "'pool-0', 'org_org_' || lpad(g::text, 6, '0'), 'active', 'free', " + schemaHash + " from generate_series(1, " + orgs + ") g");
        return url;
    }

    /** A fresh catalog, initialised, then migrated (its flyway history says) to version 99 by a newer tenantctl. */
    static String catalogFromANewerTenantctl() {
        String url = initialisedCatalog();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("insert into flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, "
                    + "execution_time, success) values (99, '99', 'from the future', 'SQL', 'V99__future.sql', 0, 'test', 0, true)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return url;
    }

    /** Runs one statement on the catalog at {@code url}: what a dead worker or an hour's wait left, written by hand. */
    static void sql(String url, String statement) {
        TestCatalog.execute(url, statement);
    }

    /**
     * What a run's only worker left when it was killed (kill -9, on another host) after claiming {@code orgId}: that item
     * running under a lease a minute past, the run's heartbeat five minutes old. The run reads abandoned.
     */
    static void workerKilledAfterClaiming(String url, String runId, String orgId) {
        sql(url, "update run_items set status = 'running', claimed_by = 'worker-7/4242/dead', lease_until = now() - interval '1 minute' "
                + "where run_id = '" + runId + "' and org_id = '" + orgId + "'");
        sql(url, "update runs set heartbeat_at = now() - interval '5 minutes' where run_id = '" + runId + "'");
    }

    /** The one number {@code query} selects from the catalog at {@code url}. */
    static long count(String url, String query) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(query, e);
        }
    }

    /**
     * Whether a session of the catalog at {@code url} came to wait on an advisory lock (looked for in pg_locks) before
     * {@code command} ended: true at the first such wait, false once the command ended with none seen.
     */
    static boolean waitsOnAnAdvisoryLock(String url, java.util.concurrent.CompletableFuture<?> command) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!command.isDone()) {
            if (count(url, "select count(*) from pg_locks where locktype = 'advisory' and not granted "
                    + "and database = (select oid from pg_database where datname = current_database())") > 0) {
                return true;
            }
            assertThat(System.nanoTime()).as("the command neither ended nor waited on a lock within 60 s").isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
        }
        return false;
    }

    /** A pid no process has: a started-and-finished child's. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    /** Provisions {@code orgIds} with {@link #smallSchema} as a --detach'ed run no worker joins; returns the run's id. */
    static String provisionDetached(Cli cli, Path dir, String... orgIds) {
        List<String> args = new ArrayList<>(List.of("provision"));
        args.addAll(List.of(orgIds));
        args.addAll(List.of("--schema", smallSchema(dir).toString(), "--detach", "-o", "json"));
        return strictJson(ok(cli, args.toArray(String[]::new))).get("run_id").asText();
    }

    static Path smallSchema(Path dir) {
        try {
            Path f = dir.resolve("small-schema.json");
            Files.writeString(f, SMALL_SCHEMA);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The end state of a test that provisioned or migrated {@code orgs} with the manifest in {@code schema}: each org's
     * live collections and indexes, read from its pool, have everything the manifest lists (extras allowed; returned).
     */
    static Map<String, SchemaDiff> assertClean(String catalogUrl, Path schema, Collection<String> orgs) {
        return SchemaCheck.assertClean(catalogUrl, orgs, SchemaManifest.load(schema));
    }

    /** As {@link #assertClean}, with no index the manifest does not list: e.g. what a failed or refused change left. */
    static void assertExactly(String catalogUrl, Path schema, Collection<String> orgs) {
        SchemaCheck.assertExactly(catalogUrl, orgs, SchemaManifest.load(schema));
    }

    /** The ids of the catalog's orgs with {@code status}, from {@code orgs list}. */
    static List<String> orgIds(Cli cli, String status) {
        List<String> out = new ArrayList<>();
        strictJson(ok(cli, "orgs", "list", "--status", status, "-o", "json")).get("orgs").forEach(o -> out.add(o.get("org_id").asText()));
        return out;
    }

    /**
     * Registers a pool as {@code pools add} does. A pool whose URI holds no secret (what {@code pools add} would store
     * as given: nearly every fixture's) is inserted by SQL on the test's catalog session: fixtures add ~950 pools a suite,
     * each a command run costing ~0.1 s of CPU on the two cores the suite has. Any other runs {@code pools add}, unchecked
     * ({@code --allow-unreachable}): a fixture's pool may be one that does not answer, or whose ${VAR} is not set.
     */
    static void addPool(Cli cli, String name, String uri, int capacity, int priority) {
        String catalog = cli.catalogUrl();
        if (catalog != null && catalog.startsWith("jdbc:postgresql:") && name.matches("[a-z0-9][a-z0-9_-]{0,62}") && capacity >= 0
                && storedAsGiven(name, uri)) {
            java.sql.Connection c = io.tenantctl.testing.TestCatalog.session(catalog);
            synchronized (c) {
                try (java.sql.PreparedStatement st = c.prepareStatement("insert into pools (pool_id, uri, capacity, priority) values (?, ?, ?, ?)")) {
                    st.setString(1, name);
                    st.setString(2, uri);
                    st.setInt(3, capacity);
                    st.setInt(4, priority);
                    st.executeUpdate();
                } catch (java.sql.SQLException e) {
                    throw new AssertionError("pool " + name + " could not be added by SQL", e);
                }
            }
            return;
        }
        Cli.Result r = cli.run("pools", "add", name, "--uri", uri, "--capacity", String.valueOf(capacity),
                "--priority", String.valueOf(priority), "--allow-unreachable");
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    /** Whether {@code pools add NAME --uri URI} stores the URI as given: it parses and holds no secret to externalise. */
    private static boolean storedAsGiven(String name, String uri) {
        try {
            io.tenantctl.pool.PoolUri.Externalised stored = io.tenantctl.pool.PoolUri.parse(uri, false).externalise(name);
            return stored.variables().isEmpty() && stored.uri().raw().equals(uri);
        } catch (RuntimeException refused) {
            return false;
        }
    }

    /** The findings of {@code kind} in a verify's {@code -o json}, in its order. */
    static List<JsonNode> findings(JsonNode verify, String kind) {
        List<JsonNode> out = new ArrayList<>();
        verify.get("findings").forEach(f -> {
            if (f.get("kind").asText().equals(kind)) {
                out.add(f);
            }
        });
        return out;
    }

    /**
     * Runs a {@code rebalance gc} expected to keep a database for a person (written since, more than its move wrote):
     * exit 1, as {@code orgs purge}'s kept, so that a gc run from cron says it needs someone.
     */
    static Cli.Result keptForAPerson(Cli cli, String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exitCode()).as("a database kept for a person is exit 1: %s", r).isEqualTo(1);
        return r;
    }

    static Cli.Result ok(Cli cli, String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }

    /**
     * Runs every {@code tenantctl …} command a printed next step names, in its order and as printed (up to a bracket,
     * quote, comma or semicolon of the prose around it), each to exit 0; at least one must be named.
     */
    static void followNextStep(Cli cli, String next) {
        List<String[]> commands = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("tenantctl ([a-z][^()';,]*)").matcher(next);
        while (m.find()) {
            commands.add(m.group(1).trim().split("\\s+"));
        }
        assertThat(commands).as("next step: %s", next).isNotEmpty();
        for (String[] c : commands) {
            Cli.Result r = cli.run(c);
            assertThat(r.exitCode()).as("the printed next step '%s', run as printed: %s", String.join(" ", c), r).isZero();
        }
    }

    /** stdout as exactly one JSON document: trailing text of any kind fails (Cli.Result.json() alone would ignore it). */
    static JsonNode strictJson(Cli.Result r) {
        try {
            return STRICT.readTree(r.out());
        } catch (Exception e) {
            throw new AssertionError("stdout is not exactly one JSON document: " + r, e);
        }
    }

    static List<String> ids(String prefix, int from, int toExclusive) {
        return IntStream.range(from, toExclusive).mapToObj(i -> prefix + i).toList();
    }

    static String[] args(List<String> head, List<String> tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(tail);
        return all.toArray(String[]::new);
    }

    /** The named org's entry in {@code runs show RUN -o json}'s items. */
    static JsonNode runItem(JsonNode runShow, String orgId) {
        for (JsonNode item : runShow.get("items")) {
            if (item.get("org_id").asText().equals(orgId)) {
                return item;
            }
        }
        throw new AssertionError("no run item for " + orgId + " in " + runShow.toPrettyString());
    }
}
