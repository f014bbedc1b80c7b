package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pools stats}: what is on each pool (orgs, collections, indexes), how it answers (ping, version), how long its
 * provisions took, its PostgreSQL's pressure through an admin URL (the test catalog's embedded PostgreSQL stands in),
 * and a dead pool as a line with its error.
 */
class PoolsStatsTest {

    @TempDir
    Path dir;

    @Test
    void reportsSchemaSizeTimingsAndVersionPerPoolAndADeadPoolAsALine() {
        try (TestPools pools = new TestPools(2)) {
            String catalog = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(catalog);
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-1", pools.uri(1), 10, 2);
            Path schema = CliFixture.smallSchema(dir);
            ok(cli, "provision", "--schema", schema.toString(), "--pool", "pool-0", "a1", "a2", "a3");
            ok(cli, "provision", "--schema", schema.toString(), "--pool", "pool-1", "b1");
            ok(cli, "orgs", "delete", "a3", "--no-backup");
            ok(cli, "orgs", "purge", "--older-than", "0");
            pools.kill(1);

            Cli.Result r = cli.quickToGiveUpOnDeadPools().run("pools", "stats", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode p0 = pool(strictJson(r), "pool-0");
            assertThat(p0.get("orgs").asInt()).as("the purged org no longer counts").isEqualTo(2);
            assertThat(p0.get("capacity").asInt()).isEqualTo(10);
            // the small schema: users (_id, email_1, tenant_1_role_1) and messages (_id, conv_1_created_-1), on two live orgs
            assertThat(p0.get("collections").asLong()).isEqualTo(4);
            assertThat(p0.get("indexes").asLong()).isEqualTo(10);
            assertThat(p0.get("ping_ms").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(p0.get("server_version").asText()).isNotBlank();
            assertThat(p0.get("provision").get("items").asLong()).isEqualTo(3);
            assertThat(p0.get("provision").get("p95_ms").asLong()).isGreaterThanOrEqualTo(p0.get("provision").get("p50_ms").asLong());
            assertThat(p0.get("migrate").isNull()).as("no migrate-all ran").isTrue();
            assertThat(p0.get("error").isNull()).isTrue();
            JsonNode p1 = pool(strictJson(r), "pool-1");
            assertThat(p1.get("error").asText()).contains("pool-1");
            assertThat(p1.get("collections").isNull()).isTrue();

            Cli.Result table = cli.run("pools", "stats");
            assertThat(table.exitCode()).as(table.toString()).isZero();
            assertThat(table.out()).contains("pool-0").contains("2/10").contains("pool-1");
        }
    }

    @Test
    void anAdminUrlAddsPostgresPressureSignalsAndNeverStoresAPassword() throws SQLException {
        try (TestPools pools = new TestPools(1)) {
            String catalog = CliFixture.initialisedCatalog();
            Map<String, String> env = new HashMap<>(Map.of("TENANTCTL_CATALOG_URL", catalog, "USER", "test"));
            Cli cli = new Cli(env);
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);

            Cli.Result inline = cli.run("pools", "set-admin-url", "pool-0", "--url", "postgres://monitor:hunter2@db:5432/postgres");
            assertThat(inline.exitCode()).as(inline.toString()).isEqualTo(2);
            assertThat(inline.err()).contains("${VAR}").doesNotContain("hunter2");
            assertThat(adminUrl(catalog)).isNull();

            // an '@' in a query parameter is not a password (userinfo ends at the last '@' before the first '/')
            ok(cli, "pools", "set-admin-url", "pool-0", "--url", "postgres://monitor:${PG_PW}@db.invalid:5432/postgres?application_name=ops@prod");
            ok(cli, "pools", "set-admin-url", "pool-0", "--url", "postgres://monitor:${PG_PW}@db.invalid:5432/postgres");
            assertThat(adminUrl(catalog)).isEqualTo("postgres://monitor:${PG_PW}@db.invalid:5432/postgres");
            Cli.Result missing = cli.run("pools", "stats", "pool-0", "-o", "json");
            assertThat(missing.exitCode()).as("a missing variable is the pool's problem, not the command's").isZero();
            assertThat(pool(strictJson(missing), "pool-0").get("admin_error").asText()).contains("PG_PW");

            // the test catalog's embedded PostgreSQL: its pg_stat views exist, DocumentDB's schema does not
            ok(cli, "pools", "set-admin-url", "pool-0", "--url", catalog);
            try (Connection c = DriverManager.getConnection(catalog); Statement s = c.createStatement()) {
                s.execute("create table churn (id int)");
                s.execute("insert into churn select generate_series(1, 500)");
                s.execute("delete from churn");
            }
            JsonNode p0 = pool(strictJson(ok(cli, "pools", "stats", "pool-0", "-o", "json")), "pool-0");

            assertThat(p0.get("admin_error").isNull()).as(p0.toString()).isTrue();
            assertThat(p0.get("dead_tuples").isNumber()).as(p0.toString()).isTrue();
            assertThat(p0.get("documentdb_collections").isNull()).as("no documentdb_api_catalog here").isTrue();
            assertThat(p0.get("buffers_backend").isNull()).isEqualTo(!hasBuffersBackend(catalog));
            Cli.Result table = ok(cli, "pools", "stats", "pool-0");
            assertThat(table.out()).contains("n/a");
        }
    }

    @Test
    void anUnsetAdminPasswordVariableIsOneWarningNamingThePoolOnce_andTheTablesErrorColumnSaysIt() {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            ok(cli, "pools", "set-admin-url", "pool-0", "--url", "postgres://monitor:${UNSET_PG_PW}@db.invalid:5432/postgres");

            Cli.Result table = ok(cli, "pools", "stats");
            assertThat(table.err().lines().toList()).as(table.toString()).containsExactly(
                    "warning: pool pool-0: its admin URL references ${UNSET_PG_PW}, which is not set in the environment: export "
                            + "UNSET_PG_PW=… (or set UNSET_PG_PW=… in the --config file), then run this again");
            String row = table.out().lines().filter(l -> l.startsWith("pool-0 ")).findFirst().orElseThrow();
            assertThat(row).as(table.toString()).endsWith("pool pool-0: its admin URL references ${UNSET_PG_PW}, which is not set in the "
                    + "environment: export UNSET_PG_PW=… (or set UNSET_PG_PW=… in the --config file), then run this again");

            Cli.Result quiet = ok(cli, "pools", "stats", "-q");
            assertThat(quiet.err()).as("-q keeps stderr to errors\n%s", quiet).isEmpty();
            assertThat(quiet.out()).contains("${UNSET_PG_PW}");
        }
    }

    /**
     * Found on call: a pool that answers its ping, then not its orgs' listCollections (a FerretDB whose PostgreSQL is
     * stuck) had every org of it read anyway, each read waiting out its own timeouts (a minute's read each, four orgs at
     * a time): 'pools stats', the step every "pool does not answer" line names, held for hours on a pool of hundreds of
     * orgs, then called it a pool with unreadable orgs and no error. Once one read finds it not answering, the rest are
     * not read, and the pool's line says it stopped answering.
     */
    @Test
    void aPoolThatStopsAnsweringAfterItsPingIsNotReadOncePerOrg() {
        try (TestPools pools = new TestPools(1)) {
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            Cli cli = Cli.withCatalog(CliFixture.fleetCatalog(pools, 40, "null")).decoratePools(real -> io.tenantctl.testing.HookedPools
                    .onDatabase(real, (name, db) -> io.tenantctl.testing.HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        reads.incrementAndGet();
                        throw new com.mongodb.MongoSocketReadTimeoutException("Timed out while receiving message",
                                new com.mongodb.ServerAddress(), new java.net.SocketTimeoutException("Read timed out"));
                    })));

            Cli.Result r = cli.run("pools", "stats", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode p0 = pool(strictJson(r), "pool-0");
            assertThat(p0.get("error").asText()).as(r.toString()).contains("pool pool-0").contains("stopped answering")
                    .contains("Read timed out").contains("40 orgs not read");
            assertThat(p0.get("collections").isNull()).as("not counted: %s", r).isTrue();
            assertThat(reads.get()).as("the orgs read at once (%d), not every org: %s", 4, r).isLessThanOrEqualTo(4);
            Cli.Result table = ok(cli, "pools", "stats");
            assertThat(table.out().lines().filter(l -> l.startsWith("pool-0 ")).findFirst().orElseThrow()).contains("stopped answering");
        }
    }

    /** Found on call: with no pools registered, 'pools stats' printed a header and nothing else (exit 0), where 'pools list' says so. */
    @Test
    void aCatalogWithNoPoolsSaysSoAndHowToAddOne() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        Cli.Result table = ok(cli, "pools", "stats");
        assertThat(table.out().strip()).as(table.toString()).isEqualTo(ok(cli, "pools", "list").out().strip())
                .startsWith("no pools yet: add one with 'tenantctl pools add NAME --uri");
        assertThat(strictJson(ok(cli, "pools", "stats", "-o", "json")).get("pools")).isEmpty();
    }

    private static JsonNode pool(JsonNode stats, String id) {
        for (JsonNode p : stats.get("pools")) {
            if (p.get("pool_id").asText().equals(id)) {
                return p;
            }
        }
        throw new AssertionError("no " + id + " in " + stats.toPrettyString());
    }

    private static String adminUrl(String catalog) throws SQLException {
        try (Connection c = DriverManager.getConnection(catalog); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select admin_url from pools where pool_id = 'pool-0'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean hasBuffersBackend(String catalog) throws SQLException {
        try (Connection c = DriverManager.getConnection(catalog); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select 1 from information_schema.columns where table_name = 'pg_stat_bgwriter' "
                     + "and column_name = 'buffers_backend'")) {
            return rs.next();
        }
    }
}
