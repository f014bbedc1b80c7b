package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.LibreChatFixtures;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestPools;
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

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team n: a LibreChat 0.0.21 fleet is upgraded to 0.0.71 with --replace-conflicting. On one org in the middle of
 * the fleet the rebuild of messages.messageId_1 fails (the pool refuses the create: FerretDB's CannotCreateIndex); the
 * rebuild is rolled back ("the old index ... was put back") and the org "keeps its old hash, so the next run tries the
 * org again". But the replacements before it (users.email_1 and conversations.conversationId_1, unique in 0.0.21) were
 * already rebuilt non-unique. The release is then rolled back: migrate-all to 0.0.21. The org that failed records
 * 0.0.21, so it is counted "unchanged" and never inspected; the rollback exits 0 while that org is left without the
 * unique constraints on users.email_1 and conversations.conversationId_1 that its recorded manifest says it has.
 */
@Timeout(240)
class RollbackAfterAHalfAppliedUpgradeTest {

    @TempDir
    Path dir;

    @Test
    void aRollbackToTheOldManifestRestoresTheOrgWhoseUpgradeFailedHalfWay() {
        List<String> orgs = List.of("acme", "globex", "initech");
        try (TestPools pools = new TestPools(1); MigrateAllFixture.Direct direct = new MigrateAllFixture.Direct()) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
            Path old = MigrateAllFixture.write(dir, "librechat-0.0.21.json", LibreChatFixtures.read(LibreChatFixtures.manifestResource("0.0.21")));
            Path next = MigrateAllFixture.write(dir, "librechat-0.0.71.json", LibreChatFixtures.read(LibreChatFixtures.manifestResource("0.0.71")));
            MigrateAllFixture.provision(cli, old, orgs);
            Map<String, Map<String, List<BsonDocument>>> before = new LinkedHashMap<>();
            for (String org : orgs) {
                MongoDatabase db = direct.db(pools.uri(0), org);
                Map<String, List<BsonDocument>> docs = new LinkedHashMap<>();
                for (String c : List.of("users", "messages")) {
                    db.getCollection(c, BsonDocument.class).insertMany(LibreChatFixtures.documents(c));
                    docs.put(c, contents(db, c));
                }
                before.put(org, docs);
            }

            // the upgrade: globex's rebuild of messages.messageId_1 is refused by its pool
            Cli upgrading = Cli.withCatalog(url).decoratePools(real -> MigrateAllFixture.hooked(real, (db, cmd) -> {
                if (db.equals("org_globex") && MigrateAllFixture.isCreateIndexes(cmd) && "messages".equals(cmd.getString("createIndexes"))) {
                    List<?> specs = cmd.getList("indexes", Object.class);
                    if (specs.size() == 1 && "messageId_1".equals(((Document) specs.get(0)).getString("name"))
                            && !Boolean.TRUE.equals(((Document) specs.get(0)).get("unique"))) {
                        throw MigrateAllFixture.commandError(67, "injected: cannot create index messageId_1");
                    }
                }
            }));
            Cli.Result upgrade = upgrading.run("migrate-all", "--schema", next.toString(), "--replace-conflicting", "-o", "json");
            assertThat(upgrade.exitCode()).as(upgrade.toString()).isEqualTo(1);
            assertThat(MigrateAllFixture.failedIds(strictJson(upgrade))).containsExactly("globex");
            // its rebuilds began, so its schema is recorded as unknown (no hash): neither manifest may trust it any more
            assertThat(MigrateAllFixture.hashes(cli).get("globex")).isNull();

            // the release is rolled back: every org must end exactly on 0.0.21 again
            Cli.Result rollback = cli.run("migrate-all", "--schema", old.toString(), "--replace-conflicting", "-o", "json");
            assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
            JsonNode summary = strictJson(rollback);
            assertThat(summary.get("failed")).as(rollback.toString()).isEmpty();
            assertThat(MigrateAllFixture.hashes(cli).values()).containsOnly(SchemaManifest.load(old).hash());
            for (String org : orgs) {
                SchemaDiff d = SchemaCheck.diff(url, org, SchemaManifest.load(old));
                assertThat(d.conflicts().stream().map(SchemaDiff.Conflict::describe).toList())
                        .as("org %s records 0.0.21 after the rollback; its indexes must be 0.0.21's (schema diff)", org).isEmpty();
                assertThat(d.missingIndexes()).as("org %s: missing indexes", org).isEmpty();
                MongoDatabase db = direct.db(pools.uri(0), org);
                before.get(org).forEach((c, docs) -> assertThat(contents(db, c)).as("%s.%s documents", org, c).isEqualTo(docs));
            }
        }
    }

    private static List<BsonDocument> contents(MongoDatabase db, String collection) {
        return db.getCollection(collection, BsonDocument.class).find().sort(new Document("_id", 1)).into(new ArrayList<>());
    }
}
