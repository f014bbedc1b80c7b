package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** orgs list / show, JSON output discipline, and provision's idempotence and resume. */
class OrgsCommandTest {

    private static TestPools pools;

    @BeforeAll
    static void start() {
        pools = new TestPools(2);
    }

    @AfterAll
    static void stop() {
        pools.close();
    }

    private static String[] withSchema(Path schema, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--schema");
        all.add(schema.toString());
        return all.toArray(String[]::new);
    }

    @Test
    void orgsShowHasWhatApplicationsAndOperatorsNeedWithTheDefaultSchema() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        ok(cli, "provision", "acme-corp");

        JsonNode org = strictJson(ok(cli, "orgs", "show", "acme-corp", "-o", "json"));
        assertThat(org.get("org_id").asText()).isEqualTo("acme-corp");
        assertThat(org.get("pool_id").asText()).isEqualTo("pool-1");
        assertThat(org.get("database_name").asText()).isEqualTo("org_acme_corp");
        assertThat(org.get("status").asText()).isEqualTo("active");
        String manifestHash = strictJson(ok(cli, "schema", "show", "-o", "json")).get("hash").asText();
        assertThat(org.get("schema_hash").asText()).isEqualTo(manifestHash).matches("[0-9a-f]{64}");

        JsonNode summary = strictJson(ok(cli, "schema", "show", "-o", "json"));
        assertThat(summary.get("collections").asInt()).isEqualTo(47);
        assertThat(summary.get("indexes").asInt()).isEqualTo(290);
        JsonNode diff = strictJson(ok(cli, "schema", "diff", "acme-corp", "-o", "json"));
        assertThat(diff.get("up_to_date").asBoolean()).as(diff.toPrettyString()).isTrue();
        assertThat(diff.get("differences")).as("the full LibreChat model, as provisioned: not one difference").isEmpty();

        Cli.Result table = ok(cli, "orgs", "show", "acme-corp");
        assertThat(table.out()).contains("org_acme_corp").contains("pool-1").contains("active");
        Cli.Result missing = cli.run("orgs", "show", "nobody");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(2);
        assertThat(missing.err()).contains("nobody");
    }

    /**
     * Found by the 3 a.m. audit: an org id mistyped ('orgs show acme-crop') said only "no org named 'acme-crop': see
     * 'tenantctl orgs list'", one more command to run, through a fleet's thousands of lines, for the name meant. The orgs
     * whose id is a typo away (a letter wrong, missing, extra, two swapped) are named; with none near, the line is as before.
     */
    @Test
    void aMistypedOrgIdNamesTheOrgsItsATypoAwayFrom() {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        CliFixture.sql(url, "insert into orgs (org_id, pool_id, database_name, status, tier) values "
                + "('acme-corp', 'pool-1', 'org_acme_corp', 'active', 'free'), ('acme-co', 'pool-1', 'org_acme_co', 'active', 'free'), "
                + "('globex', 'pool-1', 'org_globex', 'active', 'free'), ('initech', 'pool-1', 'org_initech', 'active', 'free'), "
                + "('nova', 'pool-1', 'org_nova', 'active', 'free')");

        Cli.Result show = cli.run("orgs", "show", "acme-crop", "-o", "json");
        assertThat(show.exitCode()).as(show.toString()).isEqualTo(2);
        assertThat(strictJson(show).get("error").get("message").asText()).as(show.toString())
                .isEqualTo("no org named 'acme-crop': did you mean 'acme-corp'? (or see 'tenantctl orgs list')");
        Cli.Result two = cli.run("orgs", "set-tier", "acme-cor", "gold");
        assertThat(two.exitCode()).as(two.toString()).isEqualTo(2);
        assertThat(two.err().lines()).as(two.toString()).containsExactly(
                "error: no org named 'acme-cor': did you mean 'acme-co' or 'acme-corp'? (or see 'tenantctl orgs list')");
        Cli.Result verify = cli.run("verify", "--org", "globx");
        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(2);
        assertThat(verify.err()).as(verify.toString()).contains("no org named 'globx': did you mean 'globex'?");
        Cli.Result swapped = cli.run("orgs", "show", "nvoa");
        assertThat(swapped.err().lines()).as("an id of 4 letters: one edit, a swap of two neighbours is one").containsExactly(
                "error: no org named 'nvoa': did you mean 'nova'? (or see 'tenantctl orgs list')");
        Cli.Result twice = cli.run("orgs", "show", "vnoa");
        assertThat(twice.err().lines()).as("two swaps: two edits").containsExactly("error: no org named 'vnoa': see 'tenantctl orgs list'");
        Cli.Result far = cli.run("orgs", "show", "umbrella");
        assertThat(far.exitCode()).as(far.toString()).isEqualTo(2);
        assertThat(far.err().lines()).as("nothing near: as before").containsExactly("error: no org named 'umbrella': see 'tenantctl orgs list'");
    }

    /**
     * Found by review: the look for the orgs a typo away read every id of about the typed one's length in one result (the
     * driver holds all of its rows) into a list with a null for each org not near: memory grew with the fleet for one
     * typo, and 'orgs show' of a mistyped id in a fleet of 150,000 orgs ran out of a 20 MB heap (exit 1, no suggestion;
     * 200,000 orgs ran out of 24 MB). The ids are read a page at a time and only the near ones kept: 16 MB answers for
     * 200,000 orgs as for 100,000.
     */
    @Test
    void aMistypedOrgIdInAFleetOf150000IsAnsweredUnder20Mb(@TempDir Path dir) throws Exception {
        int orgs = 150_000;
        String url = CliFixture.fleetCatalog(pools, orgs, "null"); // org-000001 … org-150000, rows only
        // a digit too many: one deletion from org-004999, org-009999 and org-049999 (the ids are read in pages of 1000); many
        // ids read before them (org-004099, …) are two edits away
        io.tenantctl.testing.ChildJvm.Exit exit = io.tenantctl.testing.ChildJvm.run(dir, java.util.Map.of("TENANTCTL_CATALOG_URL", url,
                "USER", "oncall"), 60, List.of("-Xmx20m", "-XX:+UseSerialGC"), io.tenantctl.Main.class.getName(), "orgs", "show", "org-0049999");
        assertThat(exit.err()).as("no stack trace").doesNotContain("Exception in thread");
        assertThat(exit.code()).as("orgs show of a mistyped id among %d orgs under -Xmx20m: %s", orgs, exit.err()).isEqualTo(2);
        assertThat(exit.err().lines()).containsExactly("error: no org named 'org-0049999': did you mean 'org-004999', 'org-009999' or "
                + "'org-049999'? (or see 'tenantctl orgs list')");
    }

    @Test
    void listFiltersByPoolStatusAndTier(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        Path schema = CliFixture.smallSchema(dir);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 2, 1);
        CliFixture.addPool(cli, "pool-2", pools.uri(1), 10, 2);
        ok(cli, withSchema(schema, "provision", "a1", "a2", "b1", "b2"));
        // make b3 fail on pool-2
        AtomicInteger thrown = new AtomicInteger();
        Cli.Result bad = Cli.withCatalog(url).decoratePools(real -> ProvisionRetryTest.failing(real, "org_b3", ProvisionRetryTest::isCreateIndexes, 1,
                ProvisionRetryTest.ferretError(67, "cannot create index"), thrown)).run(withSchema(schema, "provision", "b3"));
        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(1);

        JsonNode pool2Active = strictJson(ok(cli, "orgs", "list", "--pool", "pool-2", "--status", "active", "-o", "json")).get("orgs");
        assertThat(pool2Active).extracting(o -> o.get("org_id").asText()).containsExactly("b1", "b2");
        assertThat(pool2Active).allSatisfy(o -> {
            assertThat(o.get("pool_id").asText()).isEqualTo("pool-2");
            assertThat(o.get("status").asText()).isEqualTo("active");
        });
        JsonNode pool1 = strictJson(ok(cli, "orgs", "list", "--pool", "pool-1", "-o", "json")).get("orgs");
        assertThat(pool1).extracting(o -> o.get("org_id").asText()).containsExactly("a1", "a2");
        for (String[] both : new String[][]{{"--pool", "pool-2,pool-1"}, {"--pool", "pool-1", "--pool", "pool-2"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("orgs", "list", "--status", "active", "-o", "json"));
            args.addAll(List.of(both));
            assertThat(strictJson(ok(cli, args.toArray(String[]::new))).get("orgs")).as("both pools, by org id")
                    .extracting(o -> o.get("org_id").asText()).containsExactly("a1", "a2", "b1", "b2");
        }
        JsonNode failed = strictJson(ok(cli, "orgs", "list", "--status", "failed", "-o", "json")).get("orgs");
        assertThat(failed).extracting(o -> o.get("org_id").asText()).containsExactly("b3");
        assertThat(strictJson(ok(cli, "orgs", "list", "-o", "json")).get("orgs")).hasSize(5);
        ok(cli, "orgs", "set-tier", "a2", "enterprise");
        ok(cli, "orgs", "set-tier", "b1", "enterprise");
        assertThat(strictJson(ok(cli, "orgs", "list", "--tier", "enterprise", "-o", "json")).get("orgs")).as("by tier, across pools")
                .extracting(o -> o.get("org_id").asText()).containsExactly("a2", "b1");
        assertThat(strictJson(ok(cli, "orgs", "list", "--tier", "enterprise", "--pool", "pool-2", "-o", "json")).get("orgs"))
                .extracting(o -> o.get("org_id").asText()).containsExactly("b1");
        // a tier no org has (a typo at 3 a.m., 'enterprize') listed nothing and said nothing, as if the tier were empty: it
        // still lists nothing (exit 0, one document), and says on stderr that no org has it, naming the tiers orgs have
        Cli.Result typo = cli.run("orgs", "list", "--tier", "enterprize", "-o", "json");
        assertThat(typo.exitCode()).as(typo.toString()).isZero();
        assertThat(strictJson(typo).get("orgs")).isEmpty();
        assertThat(typo.err()).as(typo.toString()).contains("no org is of tier enterprize (the orgs' tiers: enterprise, free)");
        Cli.Result emptyOnAPool = ok(cli, "orgs", "list", "--tier", "enterprise", "--status", "failed");
        assertThat(emptyOnAPool.err()).as("a tier orgs have, none of them selected here: no such line").doesNotContain("no org is of tier");
        Cli.Result badTier = cli.run("orgs", "list", "--tier", "Gold!");
        assertThat(badTier.exitCode()).as(badTier.toString()).isEqualTo(2);
        assertThat(badTier.err()).contains("Gold!");

        Cli.Result badStatus = cli.run("orgs", "list", "--status", "happy");
        assertThat(badStatus.exitCode()).as(badStatus.toString()).isEqualTo(2);
        assertThat(badStatus.err()).contains("happy");
        Cli.Result badPool = cli.run("orgs", "list", "--pool", "pool-9");
        assertThat(badPool.exitCode()).as(badPool.toString()).isEqualTo(2);
        assertThat(badPool.err()).contains("pool-9");

        // end state: the four active orgs, on both pools, have their whole schema; b3 records none
        CliFixture.assertClean(url, schema, List.of("a1", "a2", "b1", "b2"));
        assertThat(strictJson(ok(cli, "orgs", "show", "b3", "-o", "json")).get("schema_hash").isNull()).isTrue();
    }

    @Test
    void rerunLeavesActiveOrgsAloneAndResumesFailedOnes(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        Path schema = CliFixture.smallSchema(dir);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        AtomicInteger thrown = new AtomicInteger();
        Cli faulty = Cli.withCatalog(url).decoratePools(real -> ProvisionRetryTest.failing(real, "org_r2",
                ProvisionRetryTest::isCreateIndexes, 1, ProvisionRetryTest.ferretError(67, "cannot create index"), thrown));
        Cli.Result first = faulty.run(withSchema(schema, "provision", "r1", "r2", "r3", "-o", "json"));
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
        JsonNode firstJson = strictJson(first);
        assertThat(firstJson.get("provisioned").asInt()).isEqualTo(2);
        assertThat(firstJson.get("failed")).singleElement().satisfies(f -> {
            assertThat(f.get("org_id").asText()).isEqualTo("r2");
            assertThat(f.get("error").asText()).contains("code 67");
        });
        JsonNode r2 = strictJson(ok(cli, "orgs", "show", "r2", "-o", "json"));
        assertThat(r2.get("status").asText()).isEqualTo("failed");
        assertThat(r2.get("schema_hash").isNull()).isTrue();

        Cli.Result second = ok(cli, withSchema(schema, "provision", "r1", "r2", "r3", "-o", "json"));
        JsonNode secondJson = strictJson(second);
        assertThat(secondJson.get("provisioned").asInt()).as("the failed org is resumed").isEqualTo(1);
        assertThat(secondJson.get("unchanged").asInt()).isEqualTo(2);
        JsonNode resumed = strictJson(ok(cli, "orgs", "show", "r2", "-o", "json"));
        assertThat(resumed.get("status").asText()).isEqualTo("active");
        assertThat(resumed.get("pool_id").asText()).isEqualTo("pool-1");
        String hash = strictJson(ok(cli, "schema", "show", "--schema", schema.toString(), "-o", "json")).get("hash").asText();
        assertThat(resumed.get("schema_hash").asText()).isEqualTo(hash);

        Cli.Result third = ok(cli, withSchema(schema, "provision", "r1", "r2", "r3", "-o", "json"));
        JsonNode thirdJson = strictJson(third);
        assertThat(thirdJson.get("unchanged").asInt()).isEqualTo(3);
        assertThat(thirdJson.get("provisioned").asInt()).isZero();
        assertThat(thirdJson.get("failed")).isEmpty();
        assertThat(thirdJson.get("orgs")).allSatisfy(o -> assertThat(o.get("outcome").asText()).isEqualTo("unchanged"));
        assertThat(strictJson(ok(cli, "pools", "show", "pool-1", "-o", "json")).get("orgs").asInt()).isEqualTo(3);
        // end state: the two left alone and the one resumed all have the whole schema
        CliFixture.assertClean(url, schema, List.of("r1", "r2", "r3"));
    }

    @Test
    void everyJsonCommandPrintsExactlyOneDocument(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        Path schemaFile = CliFixture.smallSchema(dir);
        String schema = schemaFile.toString();
        List<String[]> commands = List.of(
                new String[]{"init"},
                new String[]{"init", "--dry-run"},
                new String[]{"pools", "add", "pool-1", "--uri", pools.uri(0), "--capacity", "10"},
                new String[]{"pools", "add", "pool-2", "--uri", pools.uri(1), "--dry-run"},
                new String[]{"pools", "list"},
                new String[]{"pools", "show", "pool-1"},
                new String[]{"pools", "drain", "pool-1", "--dry-run"},
                new String[]{"pools", "drain", "pool-1"},
                new String[]{"pools", "enable", "pool-1"},
                new String[]{"provision", "j1", "j2", "--schema", schema, "--dry-run"},
                new String[]{"provision", "j1", "j2", "--schema", schema},
                new String[]{"provision", "j1", "j2", "--schema", schema},
                new String[]{"orgs", "list"},
                new String[]{"orgs", "show", "j1"},
                new String[]{"schema", "show"},
                new String[]{"schema", "show", "--schema", schema},
                new String[]{"schema", "diff", "j1", "--schema", schema},
                new String[]{"runs", "list"});
        for (String[] args : commands) {
            for (boolean jsonFirst : new boolean[]{false, true}) {
                if (jsonFirst && (args[0].equals("pools") && args[1].equals("add") && !List.of(args).contains("--dry-run"))) {
                    continue; // adding the same pool twice is (rightly) an error
                }
                List<String> argv = new ArrayList<>();
                if (jsonFirst) {
                    argv.addAll(List.of("-o", "json"));
                    argv.addAll(List.of(args));
                } else {
                    argv.addAll(List.of(args));
                    argv.addAll(List.of("-o", "json"));
                }
                Cli.Result r = cli.run(argv.toArray(String[]::new));
                assertThat(r.exitCode()).as(r.toString()).isZero();
                JsonNode doc = strictJson(r);
                assertThat(doc.isObject()).as(String.join(" ", argv) + " → " + r).isTrue();
            }
        }
        String runId = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").get(0).get("run_id").asText();
        JsonNode run = strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
        assertThat(run.get("run").get("run_id").asText()).isEqualTo(runId);
        assertThat(run.get("items")).isNotEmpty();

        // a run with failures still prints one document on stdout; the failure lines go to stderr
        ok(cli, "pools", "drain", "pool-1");
        Cli.Result refused = cli.run("provision", "j4", "--schema", schema, "-o", "json");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(strictJson(refused).get("failed")).singleElement().satisfies(f -> assertThat(f.get("org_id").asText()).isEqualTo("j4"));
        // end state: the orgs provisioned (twice) have their whole schema; the refused one has no row
        CliFixture.assertClean(url, schemaFile, List.of("j1", "j2"));
        assertThat(cli.run("orgs", "show", "j4").exitCode()).isEqualTo(2);
    }
}
