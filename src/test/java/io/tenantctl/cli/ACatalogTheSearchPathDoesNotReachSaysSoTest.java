package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a DBA gives tenantctl's role a search_path without public ({@code '$user'}, the role's own
 * schema not made), or the catalog lives in a schema of its own ({@code ?currentSchema=tenantctl} at init) and a URL
 * leaves that out. Every command said "catalog … is not initialised: run 'tenantctl init' first", and that init, for the
 * role, failed with Flyway's "Unable to create schema "$user"" — the catalog was there all along. Each says what the
 * URL lacks, exit 3 in one line.
 */
class ACatalogTheSearchPathDoesNotReachSaysSoTest {

    private static void assertOneConfigLine(Cli.Result r, String... words) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).contains(words).doesNotContain("Unable to create schema");
    }

    @Test
    void aSearchPathThatNamesNoSchemaIsSaidNotCalledUninitialised() {
        String url = TestCatalog.initialisedDatabase();
        String role = "no_path_" + ProcessHandle.current().pid();
        TestCatalog.execute(url, "create role " + role + " login");
        try {
            TestCatalog.execute(url, "grant usage on schema public to " + role);
            TestCatalog.execute(url, "grant select, insert, update, delete on all tables in schema public to " + role);
            TestCatalog.execute(url, "alter role " + role + " set search_path = '$user'");
            Cli cli = Cli.withCatalog(url.replaceFirst("user=[^&]*", "user=" + role));
            assertOneConfigLine(cli.run("orgs", "list"), "search_path", "names no schema", "currentSchema=");
            assertOneConfigLine(cli.run("init"), "search_path", "names no schema", "currentSchema=");
            Cli.Result fixed = Cli.withCatalog(url.replaceFirst("user=[^&]*", "user=" + role) + "&currentSchema=public").run("orgs", "list");
            assertThat(fixed.exitCode()).as(fixed.toString()).isZero();
        } finally {
            TestCatalog.execute(url, "drop owned by " + role);
            TestCatalog.execute(url, "drop role " + role);
        }
    }

    @Test
    void aCatalogInAnotherSchemaIsNamedWhereItIsNotFound() {
        String url = TestCatalog.newDatabase();
        Cli.Result init = Cli.withCatalog(url + "&currentSchema=tenantctl").run("init");
        assertThat(init.exitCode()).as(init.toString()).isZero();
        Cli.Result r = Cli.withCatalog(url).run("orgs", "list");
        assertOneConfigLine(r, "is not initialised", "add currentSchema=tenantctl");
    }
}
