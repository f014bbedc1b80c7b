package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
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

import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code schema diff} as a check a pipeline can stop on: exit 4 for anything missing, conflicting or superseded but
 * still present; extras only with --strict; every difference an object in {@code -o json}.
 */
@Timeout(60)
class SchemaDiffCommandTest {

    /** v1 plus a new collection, a new index on messages, and users' old "email_old" index superseded. */
    private static final String NEXT = """
            {"collections": [
              {"name": "users", "indexes": [
                {"name": "email_1", "key": {"email": 1}},
                {"name": "tenant_1", "key": {"tenant": 1}}
              ], "drop": ["email_old"]},
              {"name": "messages", "indexes": [
                {"name": "conv_1", "key": {"conversationId": 1}},
                {"name": "created_-1", "key": {"createdAt": -1}}
              ]},
              {"name": "files", "indexes": [
                {"name": "owner_1", "key": {"owner": 1}}
              ]}
            ]}
            """;

    private final TestPools pools = new TestPools(1);
    private final MigrateAllFixture.Direct direct = new MigrateAllFixture.Direct();

    @AfterEach
    void stop() {
        direct.close();
        pools.close();
    }

    private Cli acme(Path dir) {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
        MigrateAllFixture.provision(cli, write(dir, "v1.json", V1), List.of("acme"));
        return cli;
    }

    private MongoDatabase db() {
        return direct.db(pools.uri(0), "acme");
    }

    @Test
    void anUpToDateOrgExitsZeroAndSaysSo(@TempDir Path dir) {
        Cli cli = acme(dir);
        Cli.Result table = cli.run("schema", "diff", "acme", "--schema", dir.resolve("v1.json").toString());
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).contains("up to date");

        Cli.Result json = cli.run("schema", "diff", "acme", "--schema", dir.resolve("v1.json").toString(), "-o", "json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        JsonNode doc = strictJson(json);
        assertThat(doc.get("up_to_date").asBoolean()).isTrue();
        assertThat(doc.get("problems").asInt()).isZero();
        assertThat(doc.get("differences")).isEmpty();
        assertThat(doc.get("recorded_hash").asText()).isEqualTo(doc.get("manifest_hash").asText());
        assertThat(doc.get("next_step").isNull()).as("nothing to run: " + json).isTrue();
    }

    /** A pool that does not answer: exit 3, one line naming the org and pool, and a command that does check the pool. */
    @Test
    void anOrgOnAPoolThatDoesNotAnswerIsExitThreeWithACommandThatChecksThePool(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli setup = Cli.withCatalog(url);
        CliFixture.addPool(setup, "pool-1", pools.uri(0), 100, 1);
        MigrateAllFixture.provision(setup, write(dir, "v1.json", V1), List.of("acme"));
        pools.close(); // the pool is gone
        Cli cli = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", url, "TENANTCTL_POOL_CONNECT_TIMEOUT_MS", "200"));
        Cli.Result r = cli.run("schema", "diff", "acme", "--schema", dir.resolve("v1.json").toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err().strip().lines()).singleElement().asString().contains("org acme").contains("pool-1")
                .contains("tenantctl pools stats pool-1"); // 'pools show' does not contact the pool
    }

    @Test
    void driftExitsFourAndEveryDifferenceIsAnObjectWithItsKind(@TempDir Path dir) {
        Cli cli = acme(dir);
        db().getCollection("users").dropIndex("tenant_1");
        db().getCollection("users").dropIndex("email_1");
        db().getCollection("users").createIndex(new Document("email", 1), new IndexOptions().name("email_1").unique(true));
        db().getCollection("users").createIndex(new Document("mail", 1), new IndexOptions().name("email_old"));
        db().getCollection("users").createIndex(new Document("legacy", 1), new IndexOptions().name("legacy_1"));
        Path next = write(dir, "next.json", NEXT);

        Cli.Result json = cli.run("schema", "diff", "acme", "--schema", next.toString(), "-o", "json");
        assertThat(json.exitCode()).as(json.toString()).isEqualTo(4);
        JsonNode doc = strictJson(json);
        assertThat(doc.get("up_to_date").asBoolean()).isFalse();
        assertThat(doc.get("problems").asInt()).isEqualTo(6);
        assertThat(kinds(doc)).containsExactly("missing_collection files -", "missing users tenant_1", "missing messages created_-1",
                "missing files owner_1", "conflict users email_1", "superseded users email_old", "extra users legacy_1");
        JsonNode conflict = find(doc, "conflict");
        assertThat(conflict.get("expected").toString()).isEqualTo("{\"name\":\"email_1\",\"key\":{\"email\":1}}");
        assertThat(conflict.get("actual").toString()).isEqualTo("{\"name\":\"email_1\",\"key\":{\"email\":1},\"unique\":true}");
        JsonNode superseded = find(doc, "superseded");
        assertThat(superseded.get("expected").isNull()).isTrue();
        assertThat(superseded.get("actual").get("key").toString()).isEqualTo("{\"mail\":1}");
        assertThat(superseded.get("problem").asBoolean()).isTrue();
        assertThat(find(doc, "missing").get("actual").isNull()).isTrue();
        assertThat(find(doc, "extra").get("problem").asBoolean()).isFalse();
        assertThat(doc.get("counts").toString()).isEqualTo(
                "{\"missing_collection\":1,\"missing\":3,\"conflict\":1,\"superseded\":1,\"extra\":1,\"extra_collection\":0}");

        Cli.Result table = cli.run("schema", "diff", "acme", "--schema", next.toString());
        assertThat(table.exitCode()).as(table.toString()).isEqualTo(4);
        assertThat(table.out()).doesNotContain("up to date")
                .contains("6 problems: 1 missing collection, 3 missing indexes, 1 conflict, 1 superseded index still present, "
                        + "1 extra index (harmless unless superseded)")
                .containsPattern("superseded +users +email_old")
                .containsPattern("conflict +users +email_1 +\\{\"email\": 1\\} +\\{\"email\": 1\\} unique");
    }

    /**
     * An on-call audit: an index dropped and one rebuilt by hand on an org whose recorded manifest is the one compared
     * (drift) made schema diff exit 4 with no word of what to do, and the rollout an operator reaches for, 'migrate-all
     * --org acme --schema v1.json', finds the org already up to date by its recorded hash and selects nothing. The diff now
     * prints the migrate-all that does build it (--force, and --replace-conflicting for a conflict); followed as printed,
     * without its --dry-run, the org diffs clean.
     */
    @Test
    void driftOfTheRecordedManifestNamesTheRolloutThatRebuildsItAndThatRolloutWorks(@TempDir Path dir) {
        Cli cli = acme(dir);
        db().getCollection("users").dropIndex("tenant_1");
        db().getCollection("users").dropIndex("email_1");
        db().getCollection("users").createIndex(new Document("email", 1), new IndexOptions().name("email_1").unique(true));
        String v1 = dir.resolve("v1.json").toString();
        Cli.Result diff = cli.run("schema", "diff", "acme", "--schema", v1);
        assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(4);
        String line = diff.out().lines().filter(l -> l.startsWith("to build what is missing: tenantctl ")).findFirst().orElseThrow(
                () -> new AssertionError("no next step in " + diff));
        String command = line.substring(line.indexOf("tenantctl ") + "tenantctl ".length(), line.indexOf("   (then"));
        assertThat(command).contains("--dry-run");
        List<String> args = new ArrayList<>(List.of(command.replace(" --dry-run", "").split(" ")));
        Cli.Result rollout = cli.run(args.toArray(String[]::new));
        assertThat(rollout.exitCode()).as(rollout.toString()).isZero();
        Cli.Result after = cli.run("schema", "diff", "acme", "--schema", v1);
        assertThat(after.exitCode()).as(after.toString()).isZero();
        assertThat(after.out()).contains("up to date");
    }

    /**
     * An org a rollout stopped on part way records no hash (its schema is between two manifests): the text said
     * "recorded schema hash null", a Java word for the operator to decode at 3 a.m. It now says none is recorded; -o json
     * keeps its null. The rollout that finishes it is the one the diff names, and the org then matches the manifest.
     */
    @Test
    void anOrgWhoseRolloutStoppedPartWaySaysNoHashIsRecorded(@TempDir Path dir) {
        Cli cli = acme(dir);
        Path next = write(dir, "next.json", NEXT);
        Cli failing = Cli.withCatalog(cli.catalogUrl()).decoratePools(real -> MigrateAllFixture.hooked(real, (database, cmd) -> {
            if (MigrateAllFixture.isCreateIndexes(cmd) && "messages".equals(cmd.getString("createIndexes"))) {
                throw MigrateAllFixture.commandError(2, "injected: bad index spec"); // after files was made: the hash is cleared
            }
        }));
        Cli.Result stopped = failing.run("migrate-all", "--schema", next.toString());
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);

        Cli.Result diff = cli.run("schema", "diff", "acme", "--schema", next.toString());
        assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(4);
        assertThat(diff.out()).as(diff.toString()).doesNotContain("null")
                .contains("recorded schema hash none (no manifest is recorded as applied to it)");
        Cli.Result json = cli.run("schema", "diff", "acme", "--schema", next.toString(), "-o", "json");
        assertThat(strictJson(json).get("recorded_hash").isNull()).as(json.toString()).isTrue();

        Cli.Result finished = cli.run("migrate-all", "--schema", next.toString());
        assertThat(finished.exitCode()).as(finished.toString()).isZero();
        io.tenantctl.testing.SchemaCheck.assertClean(cli.catalogUrl(), "acme", io.tenantctl.schema.SchemaManifest.load(next));
    }

    /**
     * The text named the rollout that builds what is missing (and, for an extra index that refuses writes, the way back),
     * but -o json said nothing of what to run: a pipeline stopping on exit 4 had to parse the text. The document now
     * carries the text's advice as next_step (one command, pasted as it is) and next_note, and so does each such extra;
     * for an org a rollout skips, next_step is null and next_note says why and what to run once it is active again.
     */
    @Test
    void theJsonCarriesTheNextStepsTheTextAdvises(@TempDir Path dir) {
        Cli cli = acme(dir);
        db().getCollection("users").dropIndex("tenant_1");
        db().getCollection("users").dropIndex("email_1");
        db().getCollection("users").createIndex(new Document("email", 1), new IndexOptions().name("email_1").unique(true));
        db().getCollection("users").createIndex(new Document("legacy", 1), new IndexOptions().name("legacy_1").unique(true));
        String v1 = dir.resolve("v1.json").toString();

        Cli.Result json = cli.run("schema", "diff", "acme", "--schema", v1, "-o", "json");
        assertThat(json.exitCode()).as(json.toString()).isEqualTo(4);
        JsonNode doc = strictJson(json);
        assertThat(doc.path("next_step").asText(null)).as(json.toString())
                .isEqualTo("tenantctl migrate-all --org acme --schema " + v1 + " --force --replace-conflicting --dry-run");
        assertThat(doc.path("next_note").asText(null)).isEqualTo("then without --dry-run");
        JsonNode extra = find(doc, "extra");
        assertThat(extra.path("next_step").asText(null)).isEqualTo("tenantctl migrate-all --org acme --schema " + v1 + " --force --prune --dry-run");
        assertThat(extra.path("next_note").asText(null)).isEqualTo("shows every index --prune would drop; then without --dry-run");
        assertThat(find(doc, "conflict").get("next_step").isNull()).isTrue();

        Cli.Result text = cli.run("schema", "diff", "acme", "--schema", v1);
        assertThat(text.out()).as(text.toString())
                .contains("to build what is missing: " + doc.get("next_step").asText() + "   (" + doc.get("next_note").asText() + ")")
                .contains("the way back: " + extra.get("next_step").asText() + "   (" + extra.get("next_note").asText() + ")");

        CliFixture.ok(cli, "orgs", "suspend", "acme"); // a rollout skips it: nothing to paste yet
        JsonNode suspended = strictJson(cli.run("schema", "diff", "acme", "--schema", v1, "-o", "json"));
        assertThat(suspended.get("next_step").isNull()).as(suspended.toPrettyString()).isTrue();
        assertThat(suspended.get("next_note").asText()).contains("org acme is read_only, which a rollout skips")
                .contains(doc.get("next_step").asText());
        assertThat(find(suspended, "extra").get("next_step").isNull()).isTrue();
        assertThat(find(suspended, "extra").get("next_note").asText()).contains("read_only").contains(extra.get("next_step").asText());
    }

    /**
     * A suspended org (read_only) that drifted: the diff's rollout, pasted, was a no-op ("skipped: org is read_only"),
     * exit 0, the drift left in place. The advice now says the org is read_only, which a rollout skips, until it is active.
     */
    @Test
    void theRolloutAdviceOfASuspendedOrgSaysARolloutSkipsIt(@TempDir Path dir) {
        Cli cli = acme(dir);
        db().getCollection("users").dropIndex("tenant_1");
        CliFixture.ok(cli, "orgs", "suspend", "acme");
        Cli.Result diff = cli.run("schema", "diff", "acme", "--schema", dir.resolve("v1.json").toString());
        assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(4);
        assertThat(diff.out()).as(diff.toString())
                .contains("to build what is missing (org acme is read_only, which a rollout skips: once it is active again): tenantctl migrate-all");
    }

    /**
     * --schema-hash "$HASH" with the variable empty said "the catalog records no manifest : 'tenantctl runs show RUN' names
     * the one a run applies", naming nothing: it now says the option is empty, exit 2, for every verb that takes it.
     */
    @Test
    void anEmptySchemaHashIsSaidToBeEmpty() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        for (String[] args : new String[][] {{"schema", "diff", "acme", "--schema-hash", ""}, {"migrate-all", "--schema-hash", " ", "-o", "json"},
                {"provision", "acme", "--schema-hash", ""}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.toString()).singleElement().asString().contains("--schema-hash is empty")
                    .doesNotContain("records no manifest");
        }
    }

    @Test
    void extrasAloneAreHarmlessUnlessStrict(@TempDir Path dir) {
        Cli cli = acme(dir);
        db().getCollection("users").createIndex(new Document("legacy", 1), new IndexOptions().name("legacy_1"));
        String v1 = dir.resolve("v1.json").toString();

        Cli.Result table = cli.run("schema", "diff", "acme", "--schema", v1);
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).doesNotContain("up to date").contains("legacy_1")
                .contains("no problems: 0 missing collections, 0 missing indexes, 0 conflicts, 0 superseded indexes still present")
                .contains("1 extra index not in the manifest: harmless unless superseded");
        Cli.Result harmless = cli.run("schema", "diff", "acme", "--schema", v1, "-o", "json");
        assertThat(harmless.exitCode()).as(harmless.toString()).isZero();
        assertThat(strictJson(harmless).get("up_to_date").asBoolean()).as("exit 0: up to date, a harmless extra or not").isTrue();

        Cli.Result strict = cli.run("schema", "diff", "acme", "--schema", v1, "--strict", "-o", "json");
        assertThat(strict.exitCode()).as(strict.toString()).isEqualTo(4);
        JsonNode doc = strictJson(strict);
        assertThat(doc.get("problems").asInt()).isEqualTo(1);
        assertThat(find(doc, "extra").get("problem").asBoolean()).isTrue();
        assertThat(doc.get("up_to_date").asBoolean()).as("--strict fails on it (exit 4): not up to date").isFalse();
    }

    @Test
    void aCollectionTheManifestDoesNotListIsAnExtraCollectionHarmlessUnlessStrict(@TempDir Path dir) {
        // it was invisible: a collection dropped from the manifest (or made by hand) passed even --strict
        Cli cli = acme(dir);
        db().createCollection("scratchpad");
        String v1 = dir.resolve("v1.json").toString();

        Cli.Result table = cli.run("schema", "diff", "acme", "--schema", v1);
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out()).doesNotContain("up to date").containsPattern("extra_collection +scratchpad")
                .contains("1 extra collection not in the manifest: harmless (tenantctl never drops a collection); --strict fails on it")
                .doesNotContain("extra index"); // none: not a line saying "0 extra indexes"

        Cli.Result strict = cli.run("schema", "diff", "acme", "--schema", v1, "--strict", "-o", "json");
        assertThat(strict.exitCode()).as(strict.toString()).isEqualTo(4);
        JsonNode doc = strictJson(strict);
        JsonNode files = find(doc, "extra_collection");
        assertThat(files.get("collection").asText()).isEqualTo("scratchpad");
        assertThat(files.get("index").isNull()).isTrue();
        assertThat(files.get("problem").asBoolean()).isTrue();
        assertThat(doc.get("counts").get("extra_collection").asInt()).isEqualTo(1);
        assertThat(doc.get("problems").asInt()).isEqualTo(1);
        assertThat(doc.get("up_to_date").asBoolean()).as("--strict fails on it (exit 4): not up to date").isFalse();
    }

    @Test
    void aSupersededIndexIsAProblemUntilItIsGone(@TempDir Path dir) {
        Cli cli = acme(dir);
        db().getCollection("users").createIndex(new Document("mail", 1), new IndexOptions().name("email_old"));
        Path v1WithDrop = write(dir, "v1-drop.json", V1.replace("{\"name\": \"tenant_1\", \"key\": {\"tenant\": 1}}\n  ]}",
                "{\"name\": \"tenant_1\", \"key\": {\"tenant\": 1}}\n  ], \"drop\": [\"email_old\"]}"));
        assertThat(v1WithDrop).content().contains("\"drop\"");

        Cli.Result present = cli.run("schema", "diff", "acme", "--schema", v1WithDrop.toString(), "-o", "json");
        assertThat(present.exitCode()).as(present.toString()).isEqualTo(4);
        assertThat(kinds(strictJson(present))).containsExactly("superseded users email_old");

        db().getCollection("users").dropIndex("email_old");
        Cli.Result gone = cli.run("schema", "diff", "acme", "--schema", v1WithDrop.toString());
        assertThat(gone.exitCode()).as(gone.toString()).isZero();
        assertThat(gone.out()).contains("up to date");
    }

    private static List<String> kinds(JsonNode doc) {
        List<String> out = new ArrayList<>();
        doc.get("differences").forEach(d -> out.add(d.get("kind").asText() + " " + d.get("collection").asText() + " "
                + (d.get("index").isNull() ? "-" : d.get("index").asText())));
        return out;
    }

    private static JsonNode find(JsonNode doc, String kind) {
        for (JsonNode d : doc.get("differences")) {
            if (d.get("kind").asText().equals(kind)) {
                return d;
            }
        }
        throw new AssertionError("no " + kind + " in " + doc.toPrettyString());
    }
}
