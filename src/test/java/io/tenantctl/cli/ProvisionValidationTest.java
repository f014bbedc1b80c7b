package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Bad input exits 2, names what is wrong, and writes nothing. */
class ProvisionValidationTest {

    private static TestPools pools;
    private static String url;
    private static Cli cli;

    @BeforeAll
    static void setUp() {
        pools = new TestPools(1);
        url = CliFixture.initialisedCatalog();
        cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
    }

    @AfterAll
    static void tearDown() {
        pools.close();
    }

    /** No org row, no run, and on the pool no database for any of the refused batch's well-formed {@code ids}. */
    private static void assertNothingWritten(String... ids) {
        assertThat(strictJson(ok(cli, "orgs", "list", "-o", "json")).get("orgs")).isEmpty();
        assertThat(strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs")).isEmpty();
        List<String> databases = Stream.of(ids).map(MigrateAllFixture::db).toList();
        assertThat(pools.databaseNames(0)).as("databases of %s", databases).noneMatch(databases::contains);
    }

    @Test
    void everyBadIdIsNamedAndNothingIsWritten() {
        String long60 = "x".repeat(60);
        // "--" so picocli hands "-x" to the id validation instead of calling it an unknown option
        Cli.Result r = cli.run("provision", "--", "good-one", "Acme", "-x", "also-good", long60, "a.b");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("'Acme'").contains("'-x'").contains("'" + long60 + "'").contains("'a.b'");
        assertThat(r.err()).doesNotContain("'good-one'").doesNotContain("'also-good'");
        assertThat(r.err()).doesNotContain("\tat ");
        assertNothingWritten("good-one", "also-good");
    }

    @Test
    void dashIdWithoutDoubleDashIsAnUnknownOptionNamingIt() {
        Cli.Result r = cli.run("provision", "acme", "-x");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("'-x'");
        assertNothingWritten("acme");
    }

    @Test
    void badIdsInAFileAreNamedToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("orgs.txt");
        Files.writeString(file, "fine\nBAD_ONE\n# comment\n-x\nbad/two  # trailing comment\n");
        Cli.Result r = cli.run("provision", "--file", file.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("'BAD_ONE'").contains("'-x'").contains("'bad/two'").doesNotContain("'fine'");
        assertNothingWritten("fine");
    }

    /**
     * Found by an audit of adopt's file: provision named a file's bad ids without their line numbers, all of them however
     * many (and two ids of one database without where either was). Each bad line is named with its number, the first 20
     * and how many more, in one line; exit 2, nothing written.
     */
    @Test
    void aFilesBadLinesAreNamedWithTheirNumbersTheFirstTwenty(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder("fine\n\nBAD_ONE # a comment\nx-y\nfine\nx_y\n");
        for (int i = 7; i <= 30; i++) {
            text.append("Bad-").append(i).append('\n');
        }
        Path file = dir.resolve("orgs.txt");
        Files.writeString(file, text);
        Cli.Result r = cli.run("provision", "--file", file.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("org file " + file + ": 26 bad lines, nothing written: line 3: org id 'BAD_ONE' must match")
                .contains("; line 6: org ids 'x-y' (line 4) and 'x_y' both map to database org_x_y")
                .contains("; line 24: org id 'Bad-24'").doesNotContain("line 25").endsWith("; and 6 more\n");
        assertNothingWritten("fine", "x-y");
    }

    /**
     * A file with 21 bad lines ended "; line 20: …; and 1 more": the operator had to open the file to find the one line
     * that would have fit in the same room. One left over is named: all 21, no "more".
     */
    @Test
    void aFilesTwentyFirstBadLineIsNamedRatherThanCounted(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder("fine\n");
        for (int i = 2; i <= 22; i++) {
            text.append("Bad-").append(i).append('\n');
        }
        Path file = dir.resolve("orgs.txt");
        Files.writeString(file, text);
        Cli.Result r = cli.run("provision", "--file", file.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("org file " + file + ": 21 bad lines, nothing written: line 2: org id 'Bad-2'")
                .contains("; line 22: org id 'Bad-22'").doesNotContain("more");
        assertNothingWritten("fine");
    }

    @Test
    void idsThatShareADatabaseNameInOneBatchAreUsageNamingBoth() {
        // '-' and '_' both become '_' in the database name
        Cli.Result r = cli.run("provision", "acme-x", "other", "acme_x");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("'acme-x'").contains("'acme_x'").contains("org_acme_x").doesNotContain("constraint");
        assertNothingWritten("acme-x", "other");
    }

    @Test
    void idThatWouldReuseAnExistingOrgsDatabaseFailsAloneWithoutARow(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli fresh = Cli.withCatalog(url);
        CliFixture.addPool(fresh, "pool-1", pools.uri(0), 100, 1);
        Path schemaFile = CliFixture.smallSchema(dir);
        String schema = schemaFile.toString();
        ok(fresh, "provision", "acme-y", "--schema", schema);

        Cli.Result r = fresh.run("provision", "acme_y", "bystander", "--schema", schema, "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(strictJson(r).get("provisioned").asInt()).as("the rest of the batch is done").isEqualTo(1);
        assertThat(strictJson(r).get("failed")).singleElement().satisfies(f -> {
            assertThat(f.get("org_id").asText()).isEqualTo("acme_y");
            assertThat(f.get("error").asText()).contains("org_acme_y").contains("'acme-y'");
            // no row to resume or forget: it said 'tenantctl provision acme_y (resumes it; or: tenantctl orgs forget acme_y)'
            assertThat(f.get("next_step").isNull()).as("another id is the operator's to choose: %s", f).isTrue();
            assertThat(f.get("next_note").asText()).contains("another id").doesNotContain("tenantctl provision").doesNotContain("forget");
        });
        assertThat(fresh.run("orgs", "show", "acme_y").exitCode()).isEqualTo(2);
        assertThat(strictJson(ok(fresh, "orgs", "show", "acme-y", "-o", "json")).get("status").asText()).isEqualTo("active");
        // and the run is closed, not left 'running'
        assertThat(strictJson(ok(fresh, "runs", "list", "-o", "json")).get("runs"))
                .allSatisfy(run -> assertThat(run.get("status").asText()).isNotEqualTo("running"));
        // end state: both active orgs have their whole schema; the refused id has no row (above) and its would-be
        // database, acme-y's, has exactly its schema still
        CliFixture.assertExactly(url, schemaFile, List.of("acme-y"));
        CliFixture.assertClean(url, schemaFile, List.of("bystander"));
    }

    @Test
    void noOrgsAtAllIsUsage() {
        Cli.Result r = cli.run("provision");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("no orgs");
        assertNothingWritten();
    }

    @Test
    void badTierIsUsageAndWritesNothing() {
        Cli.Result r = cli.run("provision", "acme", "--tier", "Gold Plus");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("Gold Plus");
        assertNothingWritten("acme");
    }

    @Test
    void missingFileIsUsage(@TempDir Path dir) {
        Cli.Result r = cli.run("provision", "--file", dir.resolve("nope.txt").toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("nope.txt");
    }

    /** Found by probing: a file saved as UTF-16 (a Windows editor's "Unicode") said only "Input length = 1". */
    @Test
    void aFileThatIsNotUtf8SaysSo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("orgs.txt");
        Files.writeString(file, "acme\nglobex\n", java.nio.charset.StandardCharsets.UTF_16);
        Cli.Result r = cli.run("provision", "--file", file.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains(file.toString()).contains("is not UTF-8 text; save it as UTF-8").doesNotContain("Input length");
        assertNothingWritten("acme");
    }

    @Test
    void fileWithCommentsAndBlankLinesIsProvisioned(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli fresh = Cli.withCatalog(url);
        CliFixture.addPool(fresh, "pool-1", pools.uri(0), 100, 1);
        Path file = dir.resolve("orgs.txt");
        Files.writeString(file, """
                # customers onboarded this week
                f-one

                  f-two   # signed on Monday
                \t
                # f-commented-out
                f-three
                f-one
                """);
        Path schema = CliFixture.smallSchema(dir);
        Cli.Result r = fresh.run("provision", "--file", file.toString(), "f-four", "--schema", schema.toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(strictJson(r).get("provisioned").asInt()).isEqualTo(4);
        assertThat(strictJson(ok(fresh, "orgs", "list", "-o", "json")).get("orgs"))
                .extracting(o -> o.get("org_id").asText())
                .containsExactly("f-four", "f-one", "f-three", "f-two");
        CliFixture.assertClean(url, schema, List.of("f-four", "f-one", "f-three", "f-two"));
    }

    @Test
    void unknownOptionSuggestsTheNearMiss() {
        Cli.Result r = cli.run("provision", "acme", "--dry-rn");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--dry-rn").contains("--dry-run");
        assertThat(r.err()).containsAnyOf("Did you mean", "Possible solutions");
        assertNothingWritten("acme");
    }

    @Test
    void unknownVerbSuggestsTheNearMiss() {
        Cli.Result r = cli.run("provison", "acme");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("provison").contains("Did you mean").contains("provision");
        assertNothingWritten("acme");
    }

    @Test
    void dryRunWritesNothing() {
        Cli.Result r = cli.run("provision", "d-one", "d-two", "--dry-run", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(strictJson(r).get("planned").asInt()).isEqualTo(2);
        assertThat(strictJson(r).get("dry_run").asBoolean()).isTrue();
        assertNothingWritten("d-one", "d-two");
    }

    /**
     * Found earlier: the dry run's table showed ATTEMPTS 1 and a time for orgs it only planned (its -o json attempts 1),
     * as if it had provisioned them. Nothing was attempted: no attempts and no time ("-"), 0 in -o json, as backup's
     * dry run says of its planned orgs.
     */
    @Test
    void aDryRunsPlannedOrgsShowNoAttemptsAndNoTime() {
        Cli.Result json = cli.run("provision", "d-one", "d-two", "--dry-run", "-o", "json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        for (com.fasterxml.jackson.databind.JsonNode o : strictJson(json).get("orgs")) {
            assertThat(o.get("outcome").asText()).as("%s", o).isEqualTo("planned");
            assertThat(o.get("attempts").asInt()).as("%s", o).isZero();
            assertThat(o.get("ms").asLong()).as("%s", o).isZero();
        }

        Cli.Result table = cli.run("provision", "d-one", "--dry-run");

        assertThat(table.exitCode()).as(table.toString()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0).split("\\s+")).as(table.out()).containsExactly("ORG", "POOL", "DATABASE", "OUTCOME", "ATTEMPTS", "MS", "ERROR");
        String row = lines.stream().filter(l -> l.startsWith("d-one ")).findFirst().orElseThrow();
        assertThat(row.split("\\s+")).as(table.out()).containsExactly("d-one", "pool-1", MigrateAllFixture.db("d-one"), "planned", "-", "-", "-");
        assertNothingWritten("d-one", "d-two");
    }

    /**
     * Probing helper: '--rate 1e-10' provisioned four orgs at once. The start interval (1e9 / rate nanoseconds) did not fit
     * in a long, saturated, and the next slot (now + interval) overflowed into the past, so the smallest rates meant "no
     * limit". A rate below 0.0001 a second (one org every ~2.8 hours) is now refused, as a negative one is.
     * One line naming the rate, and nothing written (no org row, run or database).
     */
    private static void assertRefusedNamingTheRate(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("--rate").contains("1.0E-10").contains("0.0001");
        assertNothingWritten("r1", "r2", "r3", "r4");
    }

    @Test
    void aRateWhoseIntervalDoesNotFitIsRefusedNotUnlimited(@TempDir Path dir) {
        Path schema = CliFixture.smallSchema(dir);
        // the old code provisioned all four at once; a bound keeps a hang from stalling the suite
        Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cli.run("provision", "r1", "r2", "r3", "r4",
                "--schema", schema.toString(), "--pool", "pool-1", "--per-pool", "1", "--concurrency", "1", "--rate", "1e-10"));
        assertRefusedNamingTheRate(r);
        Cli.Result dry = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cli.run("provision", "r1", "r2", "r3", "r4",
                "--schema", schema.toString(), "--pool", "pool-1", "--rate", "1e-10", "--dry-run"));
        assertRefusedNamingTheRate(dry);
    }

    @Test
    void aConfigFilesRateIsRefusedTheSameWay(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("tenantctl.conf");
        Files.writeString(config, "schema=" + CliFixture.smallSchema(dir) + "\nrate=1e-10\n");
        Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cli.run("provision", "r1", "r2",
                "--pool", "pool-1", "--per-pool", "1", "--concurrency", "1", "--config", config.toString()));
        assertRefusedNamingTheRate(r);
    }

    @Test
    void theSmallestRateAcceptedStillWorks(@TempDir Path dir) {
        Path schema = CliFixture.smallSchema(dir);
        // one org: its start is now, the next slot hours away is never waited for
        ok(cli, "provision", "one", "--schema", schema.toString(), "--pool", "pool-1", "--rate", "0.0001", "--dry-run");
    }
}
