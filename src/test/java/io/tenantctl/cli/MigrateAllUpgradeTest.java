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
 * extra indexes and --prune, the JSON summary and {@code runs show}; and what red-teaming found around them (a dry run
 * or a selection typed with --resume, the next step of a refused TTL rebuild, --wait behind a detached rollout).
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
        assertThat(table.out()).contains("2 orgs in the run").contains("failed 0");

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
        // both would fail on their conflict, so nothing would be created; what they found is counted
        assertThat(totals.get("create_collections").asInt()).as(s.toPrettyString()).isZero();
        assertThat(totals.get("create_indexes").asInt()).as(s.toPrettyString()).isZero();
        assertThat(totals.get("conflicts").asInt()).as(s.toPrettyString()).isEqualTo(2);            // users.email_1 on each
        assertThat(totals.get("extras").asInt()).as(s.toPrettyString()).isEqualTo(1);               // beta's legacy_1
        JsonNode beta = planOf(s, "beta");
        assertThat(beta.toString()).contains("files").contains("messages.created_-1").contains("files.owner_1")
                .contains("users.email_1").contains("messages.legacy_1");

        assertThat(hashes(cli)).as("catalog hashes unchanged").isEqualTo(hashesBefore);
        assertThat(strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs")).as("no run recorded").hasSize(runsBefore);
        assertThat(direct.indexes(pools.uri(0), "alpha")).as("pool untouched").isEqualTo(alphaBefore);
        assertThat(direct.indexes(pools.uri(0), "beta")).as("pool untouched").isEqualTo(betaBefore);

        Cli.Result failing = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run");
        assertThat(failing.out()).as(failing.toString()).contains("2 would fail: nothing written to them")
                .contains("would create 0 collections and 0 indexes");
        assertThat(failing.err()).as("each with its next step, as the run says it").contains("next: tenantctl migrate-all --org alpha");

        // and in table form: one line per org and the totals
        Cli.Result table = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run", "--replace-conflicting");
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).as(table.toString()).contains("dry run, nothing written").contains("would create 2 collections and 4 indexes")
                .contains("2 conflicts (would be replaced)").contains("1 extra index");
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

    /**
     * "Every mutating verb has --dry-run … writes nothing": an operator who is told to resume a rollout and first
     * previews it with --dry-run must not have it done for real.
     */
    @Test
    void aDryRunOfAResumeWritesNothing(@TempDir Path dir) {
        Cli cli = fleet(dir, "alpha", "beta");
        Path v2 = write(dir, "v2.json", V2_ADD);
        Cli.Result detached = cli.run("migrate-all", "--schema", v2.toString(), "--detach", "-o", "json");
        assertThat(detached.exitCode()).as(detached.toString()).isZero();
        String runId = strictJson(detached).get("run_id").asText();
        Map<String, String> hashesBefore = hashes(cli);
        Map<String, Map<String, Document>> alphaBefore = direct.indexes(pools.uri(0), "alpha");

        Cli.Result dry = cli.run("migrate-all", "--resume", runId, "--dry-run", "-o", "json");

        assertThat(hashes(cli)).as("a dry run records no new schema hash\n" + dry).isEqualTo(hashesBefore);
        assertThat(direct.indexes(pools.uri(0), "alpha")).as("a dry run creates no index\n" + dry).isEqualTo(alphaBefore);
        assertThat(MigrateAllFixture.itemStatuses(MigrateAllFixture.runShow(cli, runId)))
                .as("the run's orgs are still to do after a dry run\n" + dry).containsEntry("pending", 2);
    }

    /** The per-org -o json detail of a real run says what was done to the org (as it does for a dry run). */
    @Test
    void theJsonOfARealRunSaysWhatWasDoneToEachOrg(@TempDir Path dir) {
        Cli cli = fleet(dir, "alpha");
        Path v2 = write(dir, "v2.json", V2_ADD);

        Cli.Result r = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(direct.indexes(pools.uri(0), "alpha").get("messages")).containsKey("created_-1");
        JsonNode org = strictJson(r).get("orgs").get(0);
        assertThat(org.path("plan").path("create_indexes")).as("what was done to alpha: " + org)
                .extracting(JsonNode::asText).containsExactly("messages.created_-1");
    }
    /**
     * A release moves a TTL index to another date field under the same name (a conflict, so the deploy passes
     * --replace-conflicting); the rebuilt index would expire documents, so the org is refused with a next step. That
     * next step, followed literally, must show how many documents would expire, and adding --allow-expiry to it as it
     * says must finish the org. It drops --replace-conflicting, so each command only hits the conflict instead.
     */
    @Test
    void theNextStepOfARefusedTtlRebuildWorksWhenFollowedLiterally(@TempDir Path dir) {
        url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
        MigrateAllFixture.provision(cli, write(dir, "v1.json", """
                {"collections": [{"name": "sessions", "indexes": [
                  {"name": "ttl", "key": {"createdAt": 1}, "expireAfterSeconds": 2592000}]}]}
                """), List.of("acme"));
        Path v2 = write(dir, "v2.json", """
                {"collections": [{"name": "sessions", "indexes": [
                  {"name": "ttl", "key": {"lastSeenAt": 1}, "expireAfterSeconds": 2592000}]}]}
                """);
        java.time.Instant now = java.time.Instant.now();
        for (int i = 0; i < 5; i++) { // created today; three last seen 60 days ago, which the rebuilt index would expire
            direct.db(pools.uri(0), "acme").getCollection("sessions").insertOne(new Document("_id", i)
                    .append("createdAt", java.util.Date.from(now))
                    .append("lastSeenAt", java.util.Date.from(now.minusSeconds(i < 3 ? 60L * 86_400 : 60))));
        }

        Cli.Result refused = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        String next = strictJson(refused).get("failed").get(0).get("next_step").asText();
        assertThat(next).as(refused.toString()).startsWith("tenantctl migrate-all ").contains("--dry-run");
        assertThat(strictJson(refused).get("failed").get(0).get("next_note").asText()).contains("--allow-expiry");
        List<String> command = List.of(next.substring("tenantctl ".length()).trim().split("\\s+")); // next_step: the command alone

        Cli.Result preview = cli.run(command.toArray(String[]::new));
        assertThat(preview.out() + preview.err()).as("the next step '%s' shows how many documents would expire\n%s", next, preview)
                .contains("3 documents");

        List<String> allowed = new java.util.ArrayList<>(command);
        allowed.set(allowed.indexOf("--dry-run"), "--allow-expiry");
        Cli.Result done = cli.run(allowed.toArray(String[]::new));
        assertThat(done.exitCode()).as("the next step with --allow-expiry, as it says: %s\n%s", allowed, done).isZero();
        CliFixture.assertExactly(url, v2, List.of("acme"));
    }
    /**
     * A canary fails on one org's data (duplicate logins under a new unique index). The operator fixes that org and,
     * wanting to retry only it before the fleet, runs 'migrate-all --resume RUN --org a'. The --org is silently
     * ignored (a resumed run keeps its own selection and flags): the canary passes and every held org is migrated.
     * A selection given with --resume must either be honoured or refused (exit 2) with nothing done — never ignored.
     */
    @Test
    void aSelectionGivenWithResumeIsNeverSilentlyIgnored(@TempDir Path dir) {
        Cli cli = fleet(dir, "a", "b", "c");
        Path v2 = write(dir, "v2.json", """
                {"collections": [
                  {"name": "users", "indexes": [
                    {"name": "email_1", "key": {"email": 1}},
                    {"name": "tenant_1", "key": {"tenant": 1}},
                    {"name": "login_1", "key": {"login": 1}, "unique": true}
                  ]},
                  {"name": "messages", "indexes": [
                    {"name": "conv_1", "key": {"conversationId": 1}}
                  ]}
                ]}
                """);
        var users = direct.db(pools.uri(0), "a").getCollection("users");
        users.insertOne(new Document("_id", 1).append("login", "sam"));
        users.insertOne(new Document("_id", 2).append("login", "sam"));
        Map<String, String> before = hashes(cli);

        Cli.Result canary = cli.run("migrate-all", "--schema", v2.toString(), "--canary", "1", "-o", "json");
        assertThat(canary.exitCode()).as(canary.toString()).isEqualTo(1);
        assertThat(strictJson(canary).get("aborted").asText()).as(canary.toString()).contains("canary");
        String runId = strictJson(canary).get("run_id").asText();

        users.updateOne(new Document("_id", 2), new Document("$set", new Document("login", "sam2"))); // the fix
        Cli.Result one = cli.run("migrate-all", "--resume", runId, "--org", "a", "-o", "json");

        Map<String, String> after = hashes(cli);
        assertThat(after.get("b")).as("b was not asked for\n" + one).isEqualTo(before.get("b"));
        assertThat(after.get("c")).as("c was not asked for\n" + one).isEqualTo(before.get("c"));
        assertThat(direct.indexes(pools.uri(0), "b").get("users")).as("b was not asked for\n" + one).doesNotContainKey("login_1");
    }
    /**
     * The deploy pipeline of README "Scaling out": release N is a detached run its workers --join (they take no
     * rollout lock). Release N+1's pipeline runs 'migrate-all --schema next.json --wait' to queue behind it; instead of
     * waiting it exits 3 at once ("unfinished: join it …") and the deploy fails. --wait must wait for a rollout in
     * progress (here: stopped with Ctrl-C while waiting, exit 130), whatever drives it.
     */
    @Test
    void waitQueuesBehindADetachedRolloutInsteadOfExiting3(@TempDir Path dir) throws Exception {
        Cli cli = fleet(dir, "a", "b");
        Cli.Result detached = cli.run("migrate-all", "--schema", write(dir, "v2.json", V2_ADD).toString(), "--detach", "-o", "json");
        assertThat(detached.exitCode()).as(detached.toString()).isZero();
        Path next = write(dir, "v3.json", MigrateAllFixture.V2_CONFLICT);

        io.tenantctl.fanout.CancelToken cancel = new io.tenantctl.fanout.CancelToken();
        java.util.concurrent.CompletableFuture<Void> told = new java.util.concurrent.CompletableFuture<>();
        StringBuffer stderr = new StringBuffer();
        java.util.concurrent.CompletableFuture<Cli.Result> queued = Cli.withCatalog(url).start(cancel, text -> {
            stderr.append(text);
            if (stderr.indexOf("waiting") >= 0) {
                told.complete(null);
            }
        }, "migrate-all", "--schema", next.toString(), "--replace-conflicting", "--wait", "-o", "json");
        java.util.concurrent.CompletableFuture.anyOf(queued, told).get(20, java.util.concurrent.TimeUnit.SECONDS);
        cancel.cancel("SIGTERM"); // the operator gives up waiting
        Cli.Result r = queued.get(10, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(r.exitCode()).as("--wait was waiting for the rollout in progress when stopped\n" + r).isEqualTo(130);
    }
}
