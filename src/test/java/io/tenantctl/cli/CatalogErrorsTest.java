package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** Catalog problems exit 3 with one useful line, no stack trace, and never a password. */
class CatalogErrorsTest {

    private static final String CLOSED = "jdbc:postgresql://127.0.0.1:1/x";

    @Test
    void unreachableCatalogIsOneLineExit3Fast() {
        long t0 = System.nanoTime();
        Cli.Result r = Cli.withCatalog(CLOSED).run("orgs", "list");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(elapsed).isLessThan(Duration.ofSeconds(10));
        assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).contains("127.0.0.1:1").contains("catalog").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void initAgainstUnreachableCatalogIsExit3Too() {
        Cli.Result r = Cli.withCatalog(CLOSED).run("init");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("127.0.0.1:1").doesNotContain("\tat ");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result r = Cli.withCatalog(CLOSED).run("orgs", "list", "-v");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("127.0.0.1:1").contains("\tat ");
    }

    @Test
    void catalogPasswordNeverAppears() {
        String url = "postgres://u:s3cretpw@127.0.0.1:1/x";
        for (String[] args : new String[][]{{"orgs", "list"}, {"orgs", "list", "-v"}, {"init"}, {"pools", "list", "-o", "json"}}) {
            Cli.Result r = Cli.withCatalog(url).run(args);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(r.err()).contains("127.0.0.1:1");
            assertThat(r.out() + r.err()).as(r.toString()).doesNotContain("s3cretpw");
        }
        // given as a flag instead of the environment
        Cli.Result r = new Cli(Map.of()).run("orgs", "list", "--catalog", url, "-v");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.out() + r.err()).doesNotContain("s3cretpw");
    }

    @Test
    void malformedCatalogUrlWithPasswordIsUsageWithoutThePassword() {
        Cli.Result r = Cli.withCatalog("postgres://u:s3cretpw@/x").run("orgs", "list");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.out() + r.err()).doesNotContain("s3cretpw");
        Cli.Result scheme = Cli.withCatalog("mysql://u:s3cretpw@db/x").run("orgs", "list");
        assertThat(scheme.exitCode()).as(scheme.toString()).isEqualTo(2);
        assertThat(scheme.out() + scheme.err()).doesNotContain("s3cretpw");
    }

    /**
     * A catalog behind a primary and a standby is given as both hosts (the driver tries them in turn): the first one here
     * does not answer, the second is the catalog, and the command works, in both URL forms.
     */
    @Test
    void aCatalogUrlWithSeveralHostsReachesTheOneThatAnswers() {
        String url = CliFixture.initialisedCatalog(); // jdbc:postgresql://HOST:PORT/DB?user=postgres
        String places = url.substring("jdbc:postgresql://".length(), url.indexOf('/', "jdbc:postgresql://".length()));
        String rest = url.substring(url.indexOf('/', "jdbc:postgresql://".length()));
        String[] twoHosts = {"jdbc:postgresql://127.0.0.1:1," + places + rest,
                "postgres://postgres@127.0.0.1:1," + places + rest.substring(0, rest.indexOf('?'))};
        for (int i = 0; i < twoHosts.length; i++) {
            Cli.Result r = Cli.withCatalog(twoHosts[i]).run("pools", "add", "added-" + i, "--uri", "mongodb://127.0.0.1:1/",
                    "--allow-unreachable");
            assertThat(r.exitCode()).as(twoHosts[i] + ": " + r).isZero();
        }
        Cli.Result list = Cli.withCatalog(url).run("pools", "list", "-o", "json");
        assertThat(CliFixture.strictJson(list).get("pools").findValuesAsText("pool_id")).as(list.toString())
                .containsExactlyInAnyOrder("added-0", "added-1");
    }

    /** A port out of range was the driver's two-line java.util.logging warning, then "unreachable: No suitable driver", exit 3. */
    @Test
    void aPortOutOfRangeIsOneLineExit2BeforeAnyConnection(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        io.tenantctl.testing.ChildJvm.Exit r = io.tenantctl.testing.ChildJvm.run(dir, Map.of("TENANTCTL_CATALOG_URL",
                "postgres://ops:s3cretpw@127.0.0.1:99999/x"), 60, io.tenantctl.Main.class.getName(), "orgs", "list");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("error: catalog URL").contains("port '99999' is not a number from 1 to 65535")
                .doesNotContain("s3cretpw");
    }

    /**
     * A URL scheme is case-insensitive (RFC 3986), but a catalog URL written {@code Postgres://…} or {@code JDBC:PostgreSQL://…}
     * was refused, exit 2, "must start with jdbc:postgresql://, postgres:// or postgresql://". It is read as the lower-case
     * one, and the password of one in such a URL is still never shown.
     */
    @Test
    void aCatalogUrlsSchemeIsReadWhateverItsCase() {
        String url = CliFixture.initialisedCatalog(); // jdbc:postgresql://HOST:PORT/DB?user=postgres
        String rest = url.substring("jdbc:postgresql://".length());
        String noQuery = rest.substring(0, rest.indexOf('?'));
        for (String given : new String[] {"JDBC:PostgreSQL://" + rest, "Postgres://postgres@" + noQuery, "POSTGRESQL://postgres@" + noQuery}) {
            Cli.Result r = Cli.withCatalog(given).run("orgs", "list", "-o", "json");
            assertThat(r.exitCode()).as(given + ": " + r).isZero();
            assertThat(CliFixture.strictJson(r).get("orgs")).as(given).isEmpty();
        }
        Cli.Result closed = new Cli(Map.of()).run("orgs", "list", "--catalog", "POSTGRES://u:s3cretpw@127.0.0.1:1/x");
        assertThat(closed.exitCode()).as(closed.toString()).isEqualTo(3);
        assertThat(closed.err()).as(closed.toString()).contains("127.0.0.1:1").doesNotContain("s3cretpw");
        Cli.Result bad = new Cli(Map.of()).run("orgs", "list", "--catalog", "Postgres://u:s3cretpw@127.0.0.1:99999/x");
        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).as(bad.toString()).contains("port '99999'").doesNotContain("s3cretpw");
    }

    @Test
    void noCatalogAtAllIsUsage() {
        Cli.Result r = new Cli(Map.of()).run("orgs", "list");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("TENANTCTL_CATALOG_URL");
    }

    /**
     * {@code --catalog ''} (a variable that expanded to nothing) said "no catalog given: pass --catalog", although --catalog
     * was passed: it now says that --catalog is empty, and what to give it; exit 2, one line (one JSON document with -o json).
     */
    @Test
    void anEmptyCatalogFlagIsNamedAsEmpty() {
        for (String empty : new String[] {"", "  "}) {
            Cli.Result r = new Cli(Map.of()).run("orgs", "list", "--catalog", empty);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip()).as(r.toString()).isEqualTo("error: --catalog is empty: pass the catalog's URL "
                    + "(postgres://…) or set TENANTCTL_CATALOG_URL");
        }
        Cli.Result json = new Cli(Map.of()).run("orgs", "list", "--catalog", "", "-o", "json");
        assertThat(json.exitCode()).as(json.toString()).isEqualTo(2);
        assertThat(CliFixture.strictJson(json).get("error").get("message").asText()).startsWith("--catalog is empty");
    }

    /**
     * {@code export TENANTCTL_CATALOG_URL=$(vault read …)} that came back empty said "no catalog given: pass --catalog or set
     * TENANTCTL_CATALOG_URL", although it was set: it now says it is set but empty, exit 2, one line (one JSON document
     * with -o json). A config file's catalog is still used when the variable is empty, under either key.
     */
    @Test
    void anEmptyCatalogVariableIsNamedAsSetButEmpty(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        for (String empty : new String[] {"", "  "}) {
            Cli.Result r = new Cli(Map.of("TENANTCTL_CATALOG_URL", empty)).run("orgs", "list");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip()).as(r.toString()).isEqualTo("error: no catalog given: TENANTCTL_CATALOG_URL is set but empty "
                    + "\u2014 set it to the catalog's URL (postgres://…), or pass --catalog URL");
        }
        Cli.Result json = new Cli(Map.of("TENANTCTL_CATALOG_URL", "")).run("orgs", "list", "-o", "json");
        assertThat(json.exitCode()).as(json.toString()).isEqualTo(2);
        assertThat(CliFixture.strictJson(json).get("error").get("message").asText()).contains("TENANTCTL_CATALOG_URL is set but empty");
        for (String key : new String[] {"catalog", "TENANTCTL_CATALOG_URL"}) {
            java.nio.file.Path config = dir.resolve(key + ".properties");
            java.nio.file.Files.writeString(config, key + "=" + CLOSED + "\n");
            Cli.Result fromFile = new Cli(Map.of("TENANTCTL_CATALOG_URL", "", "TENANTCTL_CONFIG", config.toString())).run("orgs", "list");
            assertThat(fromFile.exitCode()).as(key + ": " + fromFile).isEqualTo(3);
            assertThat(fromFile.err()).as(key + ": " + fromFile).contains("127.0.0.1:1");
        }
    }

    @Test
    void uninitialisedCatalogSaysRunInit() {
        String url = TestCatalog.newDatabase();
        for (String[] args : new String[][]{{"orgs", "list"}, {"pools", "list"}, {"provision", "acme"}, {"runs", "list"}}) {
            Cli.Result r = Cli.withCatalog(url).run(args);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(r.err()).contains("run 'tenantctl init'").doesNotContain("\tat ");
        }
    }

    /**
     * An on-call audit found the advice of a catalog given with --catalog, "run 'tenantctl init' first", pasted as printed,
     * initialising the catalog TENANTCTL_CATALOG_URL names (here one already initialised: "nothing to do"), the one given
     * still not initialised. The advice now says to give init the same --catalog, and so given it initialises that one.
     */
    @Test
    void theInitAdviceOfACatalogGivenWithTheFlagNamesTheFlag() {
        String given = TestCatalog.newDatabase();
        Cli cli = Cli.withCatalog(TestCatalog.initialisedDatabase());
        Cli.Result r = cli.run("orgs", "list", "--catalog", given);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).as(r.toString()).contains("run 'tenantctl init' first with the same --catalog");
        ok(cli, "init", "--catalog", given);
        assertThat(CliFixture.strictJson(ok(cli, "orgs", "list", "--catalog", given, "-o", "json")).get("orgs")).isEmpty();
        // from the environment, the bare command is the one that works
        Cli.Result env = Cli.withCatalog(TestCatalog.newDatabase()).run("orgs", "list");
        assertThat(env.err()).as(env.toString()).contains("run 'tenantctl init' first").doesNotContain("with the same");
    }

    /**
     * A catalog URL with no scheme at all (a password or token put in TENANTCTL_CATALOG_URL by mistake) was quoted back by
     * its first ten characters, "(got 'S3cr3tT0ke...')": nothing of it is quoted now but a scheme; exit 2, one JSON document.
     */
    @Test
    void aCatalogValueWithNoSchemeIsNotQuotedBack() {
        for (Cli cli : new Cli[] {Cli.withCatalog("S3cr3tT0kenValue"), new Cli(Map.of()), new Cli(Map.of("TENANTCTL_CATALOG_URL", "ab"))}) {
            Cli.Result r = cli.catalogUrl() == null ? cli.run("orgs", "list", "-o", "json", "--catalog", "S3cr3tT0kenValue")
                    : cli.run("orgs", "list", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
            assertThat(CliFixture.strictJson(r).get("error").get("message").asText()).contains("with no scheme");
            assertThat(r.out() + r.err()).as(r.toString()).doesNotContain("S3cr3t").doesNotContain("'ab");
        }
        Cli.Result mysql = Cli.withCatalog("mysql://u:pw@h/db").run("orgs", "list");
        assertThat(mysql.err()).as(mysql.toString()).contains("got 'mysql:...'").doesNotContain("pw");
    }

    @Test
    void initTwiceIsIdempotent() {
        String url = TestCatalog.newDatabase();
        Cli cli = Cli.withCatalog(url);
        Cli.Result first = ok(cli, "init");
        assertThat(first.out()).contains("initialised");
        Cli.Result second = ok(cli, "init");
        assertThat(second.out()).contains("nothing to do");
        assertThat(CliFixture.strictJson(ok(cli, "init", "-o", "json")).get("to_version").asInt()).isEqualTo(io.tenantctl.catalog.Catalog.SCHEMA_VERSION);
        assertThat(CliFixture.strictJson(ok(cli, "pools", "list", "-o", "json")).get("pools")).isEmpty();
    }

    @Test
    void initDryRunOnAFreshCatalogCreatesNothing() {
        String url = TestCatalog.newDatabase();
        Cli cli = Cli.withCatalog(url);
        Cli.Result dry = ok(cli, "init", "--dry-run");
        assertThat(dry.out()).contains("dry run");
        Cli.Result after = cli.run("orgs", "list");
        assertThat(after.exitCode()).as(after.toString()).isEqualTo(3);
        assertThat(after.err()).contains("run 'tenantctl init'");
    }

    /**
     * On a catalog never initialised, 'init --dry-run -o json' said "from_version": 0 where the init it predicts says null
     * (and its text "is at schema version none"): a script asking either whether the catalog is new got two answers.
     */
    @Test
    void initDryRunSaysAFreshCatalogHasNoVersionAsInitDoes() {
        String url = TestCatalog.newDatabase();
        Cli cli = Cli.withCatalog(url);
        com.fasterxml.jackson.databind.JsonNode dry = CliFixture.strictJson(ok(cli, "init", "--dry-run", "-o", "json"));
        assertThat(dry.get("from_version").isNull()).as(dry.toString()).isTrue();
        assertThat(dry.get("to_version").asInt()).isEqualTo(io.tenantctl.catalog.Catalog.SCHEMA_VERSION);
        assertThat(ok(cli, "init", "--dry-run").out()).contains("is not initialised; init would create it at schema version "
                + io.tenantctl.catalog.Catalog.SCHEMA_VERSION).doesNotContain("none");
        com.fasterxml.jackson.databind.JsonNode real = CliFixture.strictJson(ok(cli, "init", "-o", "json"));
        assertThat(real.get("from_version")).as(real.toString()).isEqualTo(dry.get("from_version"));
    }

    @Test
    void catalogFromANewerTenantctlIsRefused() throws Exception {
        String url = CliFixture.catalogFromANewerTenantctl();
        Cli cli = Cli.withCatalog(url);
        Cli.Result init = cli.run("init");
        assertThat(init.exitCode()).as(init.toString()).isEqualTo(3);
        assertThat(init.err()).contains("99").contains("newer").doesNotContain("\tat ");
        Cli.Result list = cli.run("orgs", "list");
        assertThat(list.exitCode()).as(list.toString()).isEqualTo(3);
        assertThat(list.err()).contains("99");
    }

    /**
     * A newer tenantctl may number a migration V19_1 (Flyway's version 19.1, a fix between two releases) or by date
     * (V20261207120000, past an int): its catalog made every command, init and its dry run included, exit 1 with "query
     * failed: invalid input syntax for type integer … report it" (and a date-numbered one "out of range"). It is refused as
     * any newer catalog is: exit 3, naming the version and what to do; init migrates nothing.
     */
    @Test
    void aNewerTenantctlsMigrationNumberedOtherwiseIsRefusedAsNewer() throws Exception {
        for (String version : new String[]{io.tenantctl.catalog.Catalog.SCHEMA_VERSION + ".1", "20261207120000"}) {
            String url = CliFixture.initialisedCatalog();
            CliFixture.sql(url, "insert into flyway_schema_history (installed_rank, version, description, type, script, checksum, "
                    + "installed_by, execution_time, success) values (99, '" + version + "', 'from the future', 'SQL', 'V"
                    + version.replace('.', '_') + "__future.sql', 0, 'test', 0, true)");
            Cli cli = Cli.withCatalog(url);
            for (String[] args : new String[][]{{"init"}, {"init", "--dry-run"}, {"orgs", "list"}}) {
                Cli.Result r = cli.run(args);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.err()).as(r.toString()).contains("newer tenantctl").contains("schema version " + version)
                        .contains("upgrade tenantctl").doesNotContain("report it");
            }
            Cli.Result json = cli.run("init", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(3);
            assertThat(CliFixture.strictJson(json).at("/error/message").asText()).contains("newer tenantctl");
            assertThat(CliFixture.count(url, "select count(*) from flyway_schema_history")).as("init migrated nothing")
                    .isEqualTo(io.tenantctl.catalog.Catalog.SCHEMA_VERSION + 1);
        }
    }
}
