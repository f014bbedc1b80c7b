package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code tenantctl init} pointed at a database that already holds tables of something else (the
 * wrong TENANTCTL_CATALOG_URL: the application's own database, a shared "postgres" database a DBA handed out) fails in
 * Flyway ("Found non-empty schema(s) "public" but no schema history table. Use baseline() or set baselineOnMigrate to
 * true …"), and that escapes as "error: unexpected FlywayException: … (run with -v for the stack trace)", exit 1 —
 * the code for "some orgs failed", category internal — with a hint (Flyway's baseline()) that tenantctl has no way to
 * follow. It is a configuration problem: exit 3, one line naming the catalog and saying it is not a tenantctl catalog
 * (and nothing written to that database).
 */
class InitOnADatabaseThatIsNotACatalogTest {

    @Test
    void initOnADatabaseHoldingOtherTablesIsAConfigErrorAndWritesNothing() throws Exception {
        String url = TestCatalog.newDatabase();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("create table customers (id int primary key, name text)");
            s.execute("insert into customers values (1, 'acme')");
        }
        Cli cli = Cli.withCatalog(url);

        Cli.Result r = cli.run("init");
        Cli.Result json = cli.run("init", "-o", "json");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).as(r.toString()).doesNotContain("unexpected").doesNotContain("baseline()");
        assertThat(r.err().strip().lines().count()).as("one line: %s", r).isEqualTo(1);
        assertThat(json.exitCode()).as(json.toString()).isEqualTo(3);
        JsonNode error = CliFixture.strictJson(json).get("error");
        assertThat(error.get("category").asText()).as(json.toString()).isNotEqualTo("internal");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select string_agg(table_name, ',' order by table_name) from information_schema.tables "
                     + "where table_schema = 'public'")) {
            rs.next();
            assertThat(rs.getString(1)).as("the database is left as it was").isEqualTo("customers");
        }
    }
}
