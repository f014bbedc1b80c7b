package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.LibreChatFixtures;
import io.tenantctl.testing.TestPools;
import io.tenantctl.testing.standin.StandIn;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A fleet provisioned with LibreChat 0.0.21's data model, upgraded to 0.0.71's by
 * {@code migrate-all --replace-conflicting}: the upgrade of issue 10. Every org must end with every index of the new
 * model on every collection, and its documents as they were. On mongo-java-server as released the same run reported
 * success while {@code messages.conversationId_1}, {@code files.conversationId_1} and {@code groups.name_1} had
 * vanished (its dropIndexes dropped same-named indexes of other collections); the unpatched tests keep showing that.
 */
@Timeout(120)
class LibreChatUpgradeTest {

    private static final SchemaManifest NEW = LibreChatFixtures.manifest(LibreChatFixtures.NEW);
    private static final List<String> ORGS = List.of("acme", "globex");

    @TempDir
    Path dir;

    @Test
    void upgradingEmptyOrgsKeepsEveryIndexOfTheNewModel() {
        try (TestPools pools = new TestPools(1)) {
            upgrade(pools, false);
        }
    }

    @Test
    void upgradingOrgsHoldingLibreChatsDocumentsKeepsThemAll() {
        try (TestPools pools = new TestPools(1)) {
            upgrade(pools, true);
        }
    }

    @Test
    void onTheUnpatchedStandInTheUpgradeReportedSuccessWhileIndexesVanished() {
        try (TestPools pools = new TestPools(1, StandIn::unpatchedMemory)) {
            assertThat(catchThrowable(() -> upgrade(pools, false))).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("messages.conversationId_1")
                    .hasMessageContaining("files.conversationId_1")
                    .hasMessageContaining("groups.name_1");
        }
    }

    @Test
    void onTheUnpatchedStandInUsersWithoutAGoogleIdBlockedTheUpgrade() {
        try (TestPools pools = new TestPools(1, StandIn::unpatchedMemory)) {
            assertThat(catchThrowable(() -> upgrade(pools, true))).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("E11000");
        }
    }

    private void upgrade(TestPools pools, boolean withDocuments) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
        Path old = MigrateAllFixture.write(dir, "old.json", LibreChatFixtures.read(LibreChatFixtures.manifestResource(LibreChatFixtures.OLD)));
        Path next = MigrateAllFixture.write(dir, "new.json", LibreChatFixtures.read(LibreChatFixtures.manifestResource(LibreChatFixtures.NEW)));
        MigrateAllFixture.provision(cli, old, ORGS);

        try (MigrateAllFixture.Direct direct = new MigrateAllFixture.Direct()) {
            Map<String, List<BsonDocument>> before = new LinkedHashMap<>();
            if (withDocuments) {
                MongoDatabase acme = direct.db(pools.uri(0), "acme");
                for (String c : List.of("users", "messages")) {
                    acme.getCollection(c, BsonDocument.class).insertMany(LibreChatFixtures.documents(c));
                    before.put(c, contents(acme, c));
                }
            }

            // without --replace-conflicting the conflicts are refused and nothing of any org changes
            Map<String, List<String>> indexesBefore = new LinkedHashMap<>();
            for (String org : ORGS) {
                indexesBefore.put(org, indexNames(direct.db(pools.uri(0), org)));
            }
            Cli.Result refused = cli.run("migrate-all", "--schema", next.toString(), "-o", "json");
            assertThat(refused.exitCode()).as("migrate-all without --replace-conflicting\n%s", refused).isEqualTo(1);
            assertThat(MigrateAllFixture.failedIds(strictJson(refused))).containsExactlyInAnyOrderElementsOf(ORGS);
            assertThat(strictJson(refused).get("failed").get(0).get("error").asText()).contains("conflicting").contains("--replace-conflicting");
            for (String org : ORGS) {
                assertThat(indexNames(direct.db(pools.uri(0), org))).as("org %s after a refused upgrade", org).isEqualTo(indexesBefore.get(org));
            }

            Cli.Result run = cli.run("migrate-all", "--schema", next.toString(), "--replace-conflicting", "-o", "json");
            assertThat(run.exitCode()).as("migrate-all\n%s", run).isZero();
            JsonNode summary = strictJson(run);
            assertThat(summary.get("migrated").asInt()).as("%s", run).isEqualTo(ORGS.size());
            assertThat(summary.get("failed")).as("%s", run).isEmpty();

            for (String org : ORGS) {
                assertThat(missingOrDifferent(direct.db(pools.uri(0), org)))
                        .as("org %s: indexes of the new model the pool does not have (as listIndexes says)", org).isEmpty();
            }
            // exactly today's manifest plus the old model's indexes it does not list (kept: no --prune), none lost elsewhere
            SchemaManifest oldModel = LibreChatFixtures.manifest(LibreChatFixtures.OLD);
            for (String org : ORGS) {
                SchemaDiff diff = io.tenantctl.testing.SchemaCheck.assertClean(url, org, NEW);
                List<String> extras = diff.extras().stream().map(x -> x.collection() + "." + x.index().name()).sorted().toList();
                List<String> oldOnly = new ArrayList<>();
                for (var c : oldModel.collections()) {
                    var now = NEW.collections().stream().filter(n -> n.name().equals(c.name())).findFirst();
                    c.indexes().forEach(i -> {
                        if (now.isEmpty() || now.get().indexes().stream().noneMatch(n -> n.name().equals(i.name()))) {
                            oldOnly.add(c.name() + "." + i.name());
                        }
                    });
                }
                assertThat(extras).as("org %s: indexes beyond today's manifest", org).containsExactlyInAnyOrderElementsOf(
                        oldOnly.stream().filter(x -> NEW.collections().stream().anyMatch(n -> x.startsWith(n.name() + "."))).toList());
            }
            MongoDatabase acme = direct.db(pools.uri(0), "acme");
            before.forEach((c, docs) -> assertThat(contents(acme, c)).as("acme.%s after the upgrade", c).isEqualTo(docs));
            assertThat(MigrateAllFixture.hashes(cli).values()).containsOnly(NEW.hash());
        }
    }

    /** "collection.index" for every index of the new model that listIndexes does not show as the model has it. */
    private static List<String> missingOrDifferent(MongoDatabase db) {
        List<String> existing = db.listCollectionNames().into(new ArrayList<>());
        Map<String, List<Document>> indexes = new LinkedHashMap<>();
        for (String c : existing) {
            indexes.put(c, db.getCollection(c).listIndexes().into(new ArrayList<>()));
        }
        SchemaDiff diff = SchemaDiff.compute(NEW, existing, indexes);
        List<String> out = new ArrayList<>(diff.missingCollections());
        diff.missingIndexes().forEach((c, list) -> list.forEach(i -> out.add(c + "." + i.name())));
        diff.conflicts().forEach(x -> out.add(x.describe()));
        return out;
    }

    /** Every "collection.index" of the database, sorted. */
    private static List<String> indexNames(MongoDatabase db) {
        List<String> out = new ArrayList<>();
        for (String c : db.listCollectionNames().into(new ArrayList<>())) {
            db.getCollection(c).listIndexes().forEach(i -> out.add(c + "." + i.getString("name")));
        }
        return out.stream().sorted().toList();
    }

    private static List<BsonDocument> contents(MongoDatabase db, String collection) {
        return db.getCollection(collection, BsonDocument.class).find().sort(new Document("_id", 1)).into(new ArrayList<>());
    }
}
