package io.tenantctl.cli;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: Flyway creates (and commits) its {@code flyway_schema_history} table before it applies the first
 * migration, each migration in a transaction of its own. An {@code init} that dies in between (Ctrl-C, a pod evicted, the
 * catalog restarting) — or a second {@code init} that looks while the first is between the two, as two pods of a deploy
 * that each run {@code init} do — finds the history table with no applied version. {@code Catalog.schemaVersion()} then
 * maps {@code max(version)} = NULL through {@code Sql.one}, which wraps the row in {@code Optional.of(null)}: a
 * NullPointerException. Every command, {@code init} included, then exits 1 with "unexpected NullPointerException" — the
 * catalog can no longer be initialised by tenantctl at all, and nothing says what to do.
 */
class InitAfterAnInitThatDiedTest {

    /** The catalog an init leaves when it dies after Flyway created its history table, before V1 committed. */
    private static String catalogWithAnEmptySchemaHistory() throws Exception {
        String url = TestCatalog.newDatabase();
        // Flyway's own history table, exactly as it makes it: apply V1 through Flyway, then take V1 back out again
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("1").load().migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("drop view routing");
            s.execute("drop table run_items, runs, orgs, pools");
            s.execute("delete from flyway_schema_history");
        }
        return url;
    }

    @Test
    void initFinishesWhatAnInitThatDiedBeforeItsFirstMigrationLeft() throws Exception {
        String url = catalogWithAnEmptySchemaHistory();
        Cli cli = Cli.withCatalog(url);

        Cli.Result init = cli.run("init");

        assertThat(init.exitCode()).as(init.toString()).isZero();
        assertThat(init.err()).doesNotContain("NullPointerException");
        assertThat(strictJson(ok(cli, "init", "-o", "json")).get("to_version").asInt()).isEqualTo(Catalog.SCHEMA_VERSION);
        assertThat(strictJson(ok(cli, "pools", "list", "-o", "json")).get("pools")).isEmpty();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from information_schema.tables where table_name = 'orgs'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the catalog's tables exist").isEqualTo(1);
        }
    }

    @Test
    void otherCommandsOnThatCatalogSayRunInitExit3() throws Exception {
        String url = catalogWithAnEmptySchemaHistory();
        Cli cli = Cli.withCatalog(url);

        for (String[] args : new String[][]{{"orgs", "list"}, {"provision", "acme"}, {"init", "--dry-run"}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.err()).as(r.toString()).doesNotContain("NullPointerException");
            if (args[0].equals("init")) {
                assertThat(r.exitCode()).as(r.toString()).isZero();
            } else {
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.err()).as(r.toString()).contains("tenantctl init");
            }
        }
    }
}
