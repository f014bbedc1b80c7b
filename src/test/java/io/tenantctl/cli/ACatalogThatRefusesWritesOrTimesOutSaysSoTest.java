package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper running the catalog as a DBA does in production. A catalog URL that reaches a hot standby
 * after a failover (or a database set {@code default_transaction_read_only = on}), a {@code statement_timeout} set on
 * tenantctl's role, and a role with less than DML on the catalog's tables each made every command that met them say
 * "error: catalog … query failed: ERROR: cannot execute INSERT in a read-only transaction (SQL state 25006; run with -v
 * and report it)" — exit 1, category internal, as if tenantctl had a bug. Each is the catalog's configuration: exit 3,
 * one line saying what to change; commands that only read a read-only catalog still work.
 */
class ACatalogThatRefusesWritesOrTimesOutSaysSoTest {

    private static String database(String url) {
        return url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
    }

    private static void assertConfigLine(Cli.Result r, String... words) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).contains(words).doesNotContain("report it").doesNotContain("\tat ");
    }

    @Test
    void aReadOnlyCatalogIsReadButAWriteIsExit3NamingThePrimary() {
        String url = TestCatalog.initialisedDatabase();
        TestCatalog.execute(url, "alter database " + database(url) + " set default_transaction_read_only = on");
        Cli cli = Cli.withCatalog(url);
        Cli.Result list = cli.run("orgs", "list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertConfigLine(cli.run("pools", "add", "p1", "--uri", "mongodb://127.0.0.1:1/", "--capacity", "5", "--allow-unreachable"),
                "is read-only", "hot standby", "default_transaction_read_only", "targetServerType=primary");
        assertConfigLine(cli.run("provision", "acme"), "is read-only");
        Cli.Result verify = cli.run("verify", "-o", "json");
        assertConfigLine(verify, "is read-only");
        JsonNode error = CliFixture.strictJson(verify).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(3);
        assertThat(error.get("category").asText()).isEqualTo("config");
    }

    @Test
    void aStatementTimeoutShorterThanAStatementIsExit3NamingIt() throws Exception {
        String url = TestCatalog.initialisedDatabase();
        TestCatalog.execute(url, "alter database " + database(url) + " set statement_timeout = '200ms'");
        // the orgs table locked by another session: tenantctl's statement waits, and the role's statement_timeout ends it
        // (before tenantctl's own 30 s lock_timeout)
        try (Connection holder = DriverManager.getConnection(url); Statement s = holder.createStatement()) {
            s.execute("set statement_timeout = 0");
            holder.setAutoCommit(false);
            s.execute("lock table orgs in access exclusive mode");
            assertConfigLine(Cli.withCatalog(url).run("orgs", "list"), "cancelled a statement", "statement_timeout");
            holder.rollback();
        }
    }

    @Test
    void aRoleWithoutTheGrantsItNeedsIsExit3NamingThem() {
        String url = TestCatalog.initialisedDatabase();
        String role = "select_only_" + ProcessHandle.current().pid();
        TestCatalog.execute(url, "create role " + role + " login");
        try {
            TestCatalog.execute(url, "grant usage on schema public to " + role);
            TestCatalog.execute(url, "grant select on all tables in schema public to " + role);
            String asRole = url.replaceFirst("user=[^&]*", "user=" + role);
            Cli cli = Cli.withCatalog(asRole);
            Cli.Result list = cli.run("pools", "list");
            assertThat(list.exitCode()).as(list.toString()).isZero();
            assertConfigLine(cli.run("pools", "add", "p1", "--uri", "mongodb://127.0.0.1:1/", "--capacity", "5", "--allow-unreachable"),
                    "refused tenantctl's role", "permission denied", "grant it SELECT, INSERT, UPDATE, DELETE");
        } finally {
            TestCatalog.execute(url, "drop owned by " + role);
            TestCatalog.execute(url, "drop role " + role);
        }
    }

    /** What the run's tables say once the catalog is read-only: every write refused as a standby refuses it (SQL state 25006). */
    private static final List<String> WRITTEN = List.of("orgs", "runs", "run_items", "org_leases", "manifests");

    /**
     * The catalog turns read-only between two orgs of a run (failed over to a standby): the run stops, exit 3 naming the
     * run's --resume and saying the catalog is read-only, not one org after another failed with "query failed … report
     * it"; once the URL is mended its resume makes every org.
     */
    @Test
    void aRunWhoseCatalogTurnsReadOnlyStopsAndItsResumeFinishesIt(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = TestCatalog.initialisedDatabase();
            TestCatalog.execute(url, "create function refuse_writes() returns trigger language plpgsql as $$ begin "
                    + "raise exception 'cannot execute % in a read-only transaction', tg_op using errcode = '25006'; end $$");
            Set<String> started = ConcurrentHashMap.newKeySet();
            Cli cli = Cli.withCatalog(url).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (HookedPools.is(cmd, "createIndexes") && started.add(db) && started.size() == 3) {
                    WRITTEN.forEach(t -> TestCatalog.execute(url, "create trigger read_only before insert or update or delete on " + t
                            + " for each statement execute function refuse_writes()"));
                }
            }));
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
            Path schema = CliFixture.smallSchema(dir);
            List<String> ids = CliFixture.ids("ro-", 0, 6);

            Cli.Result stopped = cli.run(CliFixture.args(List.of("provision", "--schema", schema.toString(), "--concurrency", "1",
                    "-o", "json"), ids));

            assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(3);
            JsonNode error = CliFixture.strictJson(stopped).get("error");
            String runId = error.get("run_id").asText();
            assertThat(error.get("message").asText()).as(stopped.toString()).contains("run " + runId + " stopped")
                    .contains("is read-only").contains("--resume " + runId).doesNotContain("report it");
            assertThat(stopped.err().strip().lines()).as(stopped.toString()).hasSize(1);

            WRITTEN.forEach(t -> TestCatalog.execute(url, "drop trigger read_only on " + t));
            // the worker could let go of nothing in a read-only catalog: what it held runs out a lease later (here, at once)
            TestCatalog.execute(url, "update run_items set lease_until = now() - interval '1 minute' where run_id = '" + runId
                    + "' and status = 'running'");
            TestCatalog.execute(url, "update org_leases set lease_until = now() - interval '1 minute'");
            TestCatalog.execute(url, "update runs set heartbeat_at = now() - interval '2 minutes' where run_id = '" + runId + "'");
            Cli.Result resumed = CliFixture.ok(cli, "provision", "--resume", runId, "-o", "json");
            assertThat(CliFixture.strictJson(resumed).get("status").asText()).as(resumed.toString()).isEqualTo("succeeded");
            assertThat(CliFixture.orgIds(cli, "active")).containsExactlyInAnyOrderElementsOf(ids);
            CliFixture.assertExactly(url, schema, ids);
        }
    }
}
