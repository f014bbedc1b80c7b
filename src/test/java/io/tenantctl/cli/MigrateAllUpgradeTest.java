package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.V2_CONFLICT;
import static io.tenantctl.cli.MigrateAllFixture.failedIds;
import static io.tenantctl.cli.MigrateAllFixture.hashes;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * migrate-all between two manifests of our own: a same-name conflict, --dry-run, --force against drift, frozen orgs,
 * extra indexes and --prune, the JSON summary and {@code runs show}.
 */
@Timeout(60)
class MigrateAllUpgradeTest {

    private final TestPools pools = new TestPools(1);
    private final MigrateAllFixture.Direct direct = new MigrateAllFixture.Direct();

    @AfterEach
    void stop() {
        direct.close();
        pools.close();
    }

    private String url;

    private Cli fleet(Path dir, String... orgs) {
        url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
        MigrateAllFixture.provision(cli, write(dir, "v1.json", V1), List.of(orgs));
        return cli;
    }

    private List<Document> docs(String org, String collection) {
        return direct.db(pools.uri(0), org).getCollection(collection).find().into(new ArrayList<>());
    }

    @Test
    void sameNameConflictFailsWithoutTheFlagAndIsReplacedWithItDocumentsIntact(@TempDir Path dir) {
        Cli cli = fleet(dir, "alpha", "beta", "gamma");
        String v1Hash = hashes(cli).get("alpha");
        for (String org : List.of("alpha", "beta", "gamma")) {
            direct.db(pools.uri(0), org).getCollection("users").insertMany(IntStream.range(0, 5)
                    .mapToObj(i -> new Document("email", org + i + "@example.com").append("tenant", org)).toList());
            direct.db(pools.uri(0), org).getCollection("messages").insertOne(new Document("conversationId", "c1").append("text", "hi"));
        }
        Path v2 = write(dir, "v2.json", V2_CONFLICT);

        Cli.Result refused = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        JsonNode s = strictJson(refused);
        assertThat(failedIds(s)).containsExactlyInAnyOrder("alpha", "beta", "gamma");
        s.get("failed").forEach(f -> assertThat(f.get("error").asText()).as("the message shows both specs and the way out")
                .contains("users.email_1").contains("unique").contains("--replace-conflicting"));
        assertThat(s.get("migrated").asInt()).isZero();
        assertThat(hashes(cli).values()).as("no org records a schema it does not have").containsOnly(v1Hash);
        Map<String, Map<String, Document>> untouched = direct.indexes(pools.uri(0), "alpha");
        assertThat(untouched).as("a conflicting org is left exactly as it was: nothing half-applied").doesNotContainKey("files");
        assertThat(untouched.get("messages")).doesNotContainKey("created_-1");
        assertThat(untouched.get("users").get("email_1").get("unique")).isNull();
        CliFixture.assertExactly(url, dir.resolve("v1.json"), List.of("alpha", "beta", "gamma"));

        JsonNode failedRun = MigrateAllFixture.runShow(cli, s.get("run_id").asText());
        assertThat(failedRun.get("run").get("status").asText()).isEqualTo("failed");
        JsonNode item = CliFixture.runItem(failedRun, "beta");
        assertThat(item.get("status").asText()).isEqualTo("failed");
        assertThat(item.get("attempts").asInt()).as("a conflict is not retried").isEqualTo(1);
        assertThat(item.get("error").asText()).contains("email_1");

        Cli.Result replaced = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");
        assertThat(replaced.exitCode()).as(replaced.toString()).isZero();
        JsonNode r = strictJson(replaced);
        assertThat(r.get("migrated").asInt()).isEqualTo(3);
        assertThat(r.get("failed")).isEmpty();
        String v2Hash = r.get("schema_hash").asText();
        assertThat(hashes(cli)).containsOnlyKeys("alpha", "beta", "gamma").allSatisfy((org, h) -> assertThat(h).as(org).isEqualTo(v2Hash));
        for (String org : List.of("alpha", "beta", "gamma")) {
            Map<String, Map<String, Document>> idx = direct.indexes(pools.uri(0), org);
            assertThat(idx.get("users").get("email_1").get("unique")).as(org + " email_1 is now unique").isEqualTo(true);
            assertThat(idx.get("users")).containsOnlyKeys("email_1", "tenant_1");
            assertThat(idx.get("messages")).containsOnlyKeys("conv_1", "created_-1");
            assertThat(idx.get("files")).containsOnlyKeys("owner_1");
            assertThat(docs(org, "users")).as(org + ": replacing an index never touches documents").hasSize(5)
                    .extracting(d -> d.getString("email")).contains(org + "0@example.com", org + "4@example.com");
            assertThat(docs(org, "messages")).hasSize(1);
            JsonNode diff = strictJson(ok(cli, "schema", "diff", org, "--schema", v2.toString(), "-o", "json"));
            assertThat(diff.get("up_to_date").asBoolean()).as(diff.toPrettyString()).isTrue();
        }
        JsonNode run = MigrateAllFixture.runShow(cli, r.get("run_id").asText());
        assertThat(run.get("run").get("status").asText()).isEqualTo("succeeded");
        assertThat(MigrateAllFixture.itemStatuses(run)).containsExactlyEntriesOf(Map.of("succeeded", 3));

        Cli.Result again = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(strictJson(again).get("selected").asInt()).as("a second rollout of the same manifest selects nobody").isZero();
        assertThat(strictJson(again).get("unchanged").asInt()).isEqualTo(3);
    }

    @Test
    void jsonSummaryHasTheDocumentedFieldsAndRateIsAccepted(@TempDir Path dir) {
        Cli cli = fleet(dir, "alpha", "beta");
        Cli.Result r = cli.run("migrate-all", "--schema", write(dir, "v2.json", V2_ADD).toString(), "--rate", "50", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode s = strictJson(r);
        assertThat(s.fieldNames()).toIterable().contains("run_id", "selected", "migrated", "unchanged", "skipped", "failed",
                "p50_ms", "p95_ms", "max_ms");
        assertThat(s.get("run_id").asText()).isNotBlank();
        assertThat(s.get("selected").asInt()).isEqualTo(2);
        assertThat(s.get("migrated").asInt()).isEqualTo(2);
        assertThat(s.get("unchanged").asInt()).isZero();
        assertThat(s.get("skipped").asInt()).isZero();
        assertThat(s.get("failed").isArray()).isTrue();
        assertThat(s.get("failed")).isEmpty();
        assertThat(s.get("p50_ms").asLong()).isLessThanOrEqualTo(s.get("p95_ms").asLong());
        assertThat(s.get("p95_ms").asLong()).isLessThanOrEqualTo(s.get("max_ms").asLong());

        JsonNode run = MigrateAllFixture.runShow(cli, s.get("run_id").asText());
        assertThat(run.get("run").get("verb").asText()).isEqualTo("migrate-all");
        for (String org : List.of("alpha", "beta")) {
            JsonNode item = CliFixture.runItem(run, org);
            assertThat(item.get("status").asText()).isEqualTo("succeeded");
            assertThat(item.get("attempts").asInt()).isEqualTo(1);
            assertThat(item.get("error").isNull()).isTrue();
        }
        assertThat(direct.indexes(pools.uri(0), "beta").get("messages")).containsKey("created_-1");

        // the table form says the same to a person
        Cli.Result table = cli.run("migrate-all", "--schema", write(dir, "v1.json", V1).toString(), "--rate", "50");
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).contains("selected 2").contains("failed 0");

        // end state: both orgs have v1 whole again, and keep v2's index as an extra: never dropped without --prune
        CliFixture.assertClean(url, dir.resolve("v1.json"), List.of("alpha", "beta")).forEach((org, d) ->
                assertThat(d.extras()).as(org).extracting(x -> x.collection() + "." + x.index().name()).containsExactly("messages.created_-1"));
    }

    @Test
    void dryRunWritesNothingAndReportsWhatWouldChange(@TempDir Path dir) {
        Cli cli = fleet(dir, "alpha", "beta");
        direct.db(pools.uri(0), "beta").getCollection("messages").createIndex(new Document("legacy", 1),
                new com.mongodb.client.model.IndexOptions().name("legacy_1"));
        Map<String, String> hashesBefore = hashes(cli);
        Map<String, Map<String, Document>> alphaBefore = direct.indexes(pools.uri(0), "alpha");
        Map<String, Map<String, Document>> betaBefore = direct.indexes(pools.uri(0), "beta");
        int runsBefore = strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs").size();
        Path v2 = write(dir, "v2.json", V2_CONFLICT);

        Cli.Result r = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run", "-o", "json");
        assertThat(r.exitCode()).as("the conflicts would fail both orgs: a pipeline gate must see it\n" + r).isEqualTo(1);
        JsonNode s = strictJson(r);
        assertThat(failedIds(s)).containsExactlyInAnyOrder("alpha", "beta");
        assertThat(s.get("dry_run").asBoolean()).isTrue();
        assertThat(s.get("run_id").isNull()).as("a dry run records no run").isTrue();
        assertThat(s.get("selected").asInt()).isEqualTo(2);
        JsonNode totals = s.get("totals");
        assertThat(totals.get("create_collections").asInt()).as(s.toPrettyString()).isEqualTo(2);   // files, on each org
        assertThat(totals.get("create_indexes").asInt()).as(s.toPrettyString()).isEqualTo(4);       // messages.created_-1 + files.owner_1, each
        assertThat(totals.get("conflicts").asInt()).as(s.toPrettyString()).isEqualTo(2);            // users.email_1 on each
        assertThat(totals.get("extras").asInt()).as(s.toPrettyString()).isEqualTo(1);               // beta's legacy_1
        JsonNode beta = planOf(s, "beta");
        assertThat(beta.toString()).contains("files").contains("messages.created_-1").contains("files.owner_1")
                .contains("users.email_1").contains("messages.legacy_1");

        assertThat(hashes(cli)).as("catalog hashes unchanged").isEqualTo(hashesBefore);
        assertThat(strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs")).as("no run recorded").hasSize(runsBefore);
        assertThat(direct.indexes(pools.uri(0), "alpha")).as("pool untouched").isEqualTo(alphaBefore);
        assertThat(direct.indexes(pools.uri(0), "beta")).as("pool untouched").isEqualTo(betaBefore);

        // and in table form: one line per org and the totals
        Cli.Result table = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run", "--replace-conflicting");
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).as(table.toString()).contains("dry run, nothing written").contains("would create 2 collections and 4 indexes")
                .contains("2 conflicts (would be replaced)").contains("1 extra indexes");
        assertThat(hashes(cli)).isEqualTo(hashesBefore);
        assertThat(direct.indexes(pools.uri(0), "beta")).isEqualTo(betaBefore);

        // end state: still exactly v1, beta with nothing but its own legacy_1 beside it
        CliFixture.assertExactly(url, dir.resolve("v1.json"), List.of("alpha"));
        assertThat(CliFixture.assertClean(url, dir.resolve("v1.json"), List.of("beta")).get("beta").extras())
                .extracting(x -> x.collection() + "." + x.index().name()).containsExactly("messages.legacy_1");
    }

    private static JsonNode planOf(JsonNode dryRun, String org) {
        for (JsonNode o : dryRun.get("orgs")) {
            if (o.get("org_id").asText().equals(org)) {
                return o;
            }
        }
        throw new AssertionError("no " + org + " in " + dryRun.toPrettyString());
    }

    @Test
    void forceFindsAnIndexDroppedBehindTenantctlsBack(@TempDir Path dir) {
        Cli cli = fleet(dir, "alpha", "beta");
        Path v1 = write(dir, "v1.json", V1);
        direct.db(pools.uri(0), "alpha").getCollection("users").dropIndex("tenant_1");

        Cli.Result plain = cli.run("migrate-all", "--schema", v1.toString(), "-o", "json");
        assertThat(plain.exitCode()).as(plain.toString()).isZero();
        assertThat(strictJson(plain).get("selected").asInt()).as("the recorded hash matches, so nobody is selected").isZero();
        assertThat(strictJson(plain).get("unchanged").asInt()).isEqualTo(2);
        assertThat(direct.indexes(pools.uri(0), "alpha").get("users")).as("without --force the drift stays").doesNotContainKey("tenant_1");

        Cli.Result forced = cli.run("migrate-all", "--schema", v1.toString(), "--force", "-o", "json");
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        JsonNode s = strictJson(forced);
        assertThat(s.get("selected").asInt()).isEqualTo(2);
        assertThat(s.get("migrated").asInt()).as("only the drifted org needed work").isEqualTo(1);
        assertThat(s.get("unchanged").asInt()).isEqualTo(1);
        assertThat(direct.indexes(pools.uri(0), "alpha").get("users")).containsKey("tenant_1");
        JsonNode run = MigrateAllFixture.runShow(cli, s.get("run_id").asText());
        assertThat(CliFixture.runItem(run, "alpha").get("status").asText()).isEqualTo("succeeded");
        assertThat(CliFixture.runItem(run, "beta").get("status").asText()).isEqualTo("unchanged");
        // end state: the repaired org and the untouched one both have exactly v1
        CliFixture.assertExactly(url, v1, List.of("alpha", "beta"));
    }

    @Test
    void frozenOrgsAreSkippedAndListed(@TempDir Path dir) {
        Cli cli = fleet(dir, "active-1", "frozen", "moving", "restoring");
        try (Catalog catalog = Catalog.open(url)) {
            catalog.orgs().setStatus("frozen", Org.READ_ONLY);
            catalog.orgs().setStatus("moving", Org.MOVING);
            catalog.orgs().setStatus("restoring", Org.RESTORING);
        }
        String v1Hash = hashes(cli).get("frozen");
        Path v2 = write(dir, "v2.json", V2_ADD);

        Cli.Result r = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode s = strictJson(r);
        assertThat(s.get("migrated").asInt()).isEqualTo(1);
        assertThat(s.get("skipped").asInt()).isEqualTo(3);
        Map<String, String> reasons = new java.util.TreeMap<>();
        s.get("skipped_orgs").forEach(o -> reasons.put(o.get("org_id").asText(), o.get("reason").asText()));
        assertThat(reasons).containsOnlyKeys("frozen", "moving", "restoring");
        assertThat(reasons.get("frozen")).contains("read_only");
        assertThat(reasons.get("moving")).contains("moving");
        assertThat(reasons.get("restoring")).contains("restoring");
        for (String org : List.of("frozen", "moving", "restoring")) {
            assertThat(hashes(cli).get(org)).as(org + " keeps its schema").isEqualTo(v1Hash);
            assertThat(direct.indexes(pools.uri(0), org).get("messages")).as(org + " is not written to").doesNotContainKey("created_-1");
        }
        assertThat(direct.indexes(pools.uri(0), "active-1").get("messages")).containsKey("created_-1");
        JsonNode run = MigrateAllFixture.runShow(cli, s.get("run_id").asText());
        assertThat(CliFixture.runItem(run, "frozen").get("status").asText()).isEqualTo("skipped");

        // once thawed, the next rollout picks it up (and the table lists skipped orgs too)
        try (Catalog catalog = Catalog.open(url)) {
            catalog.orgs().setStatus("frozen", Org.ACTIVE);
        }
        Cli.Result next = cli.run("migrate-all", "--schema", v2.toString());
        assertThat(next.exitCode()).as(next.toString()).isZero();
        assertThat(next.out()).contains("migrated 1").containsPattern("skipped: moving: .*moving");
        assertThat(direct.indexes(pools.uri(0), "frozen").get("messages")).containsKey("created_-1");

        // end state: the migrated orgs (at once, and once thawed) have exactly v2; the two still skipped exactly v1
        CliFixture.assertExactly(url, v2, List.of("active-1", "frozen"));
        CliFixture.assertExactly(url, dir.resolve("v1.json"), List.of("moving", "restoring"));
    }

    @Test
    void extraIndexesAreReportedAndOnlyDroppedWithPrune(@TempDir Path dir) {
        Cli cli = fleet(dir, "alpha");
        direct.db(pools.uri(0), "alpha").getCollection("messages").createIndex(new Document("legacy", 1),
                new com.mongodb.client.model.IndexOptions().name("legacy_1"));
        direct.db(pools.uri(0), "alpha").getCollection("messages").insertOne(new Document("legacy", "x"));
        Path v2 = write(dir, "v2.json", V2_ADD);

        JsonNode plan = strictJson(cli.run("migrate-all", "--schema", v2.toString(), "--dry-run", "-o", "json"));
        assertThat(plan.get("totals").get("extras").asInt()).isEqualTo(1);
        assertThat(planOf(plan, "alpha").toString()).contains("messages.legacy_1");

        Cli.Result r = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(direct.indexes(pools.uri(0), "alpha").get("messages")).as("extras are never dropped without --prune")
                .containsKeys("legacy_1", "created_-1");

        Cli.Result pruned = cli.run("migrate-all", "--schema", v2.toString(), "--force", "--prune", "-o", "json");
        assertThat(pruned.exitCode()).as(pruned.toString()).isZero();
        assertThat(strictJson(pruned).get("migrated").asInt()).isEqualTo(1);
        assertThat(direct.indexes(pools.uri(0), "alpha").get("messages")).containsOnlyKeys("conv_1", "created_-1");
        assertThat(docs("alpha", "messages")).as("pruning drops an index, not data").hasSize(1);
        CliFixture.assertExactly(url, v2, List.of("alpha"));
    }
}
