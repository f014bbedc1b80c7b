package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An apply never leaves an org weaker than it was: new indexes exist before the ones they supersede are dropped,
 * a rebuilt index whose new spec fails is put back, and duplicates under a new unique index are found before
 * anything changes.
 */
class MigrateAllNeverWeakerTest {

    /** v2: users.email_1 becomes unique (same-name conflict); users.by_tenant replaces tenant_1 (same key, superseded). */
    static final String V2_RENAME = """
            {"collections": [
              {"name": "users", "indexes": [
                {"name": "email_1", "key": {"email": 1}},
                {"name": "by_tenant", "key": {"tenant": 1}},
                {"name": "tenant_1_email_1", "key": {"tenant": 1, "email": 1}, "unique": true}
              ], "drop": ["tenant_1"]},
              {"name": "messages", "indexes": [
                {"name": "conv_1", "key": {"conversationId": 1}}
              ]}
            ]}
            """;

    /** A pool of its own for each test: every test starts from an org "acme" on v1. */
    private TestPools pools;

    @BeforeEach
    void start() {
        pools = new TestPools(1);
    }

    @AfterEach
    void stop() {
        pools.close();
    }

    private record Fleet(TestPools pools, String url, Cli cli, List<String> commands, MigrateAllFixture.Direct direct) {
        MongoDatabase db(String org) {
            return direct.db(pools.uri(0), org);
        }

        Map<String, Map<String, Document>> indexes(String org) {
            return direct.indexes(pools.uri(0), org);
        }
    }

    /** One org "acme" on v1, with users; every command tenantctl sends is logged as "command collection[.index]". */
    private Fleet fleet(Path dir, AtomicBoolean failNewEmail) {
        String url = CliFixture.initialisedCatalog();
        List<String> commands = Collections.synchronizedList(new ArrayList<>());
        Cli cli = Cli.withCatalog(url).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            String name = cmd.keySet().iterator().next();
            String what = name + " " + cmd.get(name) + (cmd.containsKey("index") ? "." + cmd.get("index") : "");
            if (cmd.containsKey("indexes")) {
                for (Document i : cmd.getList("indexes", Document.class)) {
                    what += "." + i.getString("name");
                    if (failNewEmail.get() && i.getString("name").equals("email_1") && Boolean.TRUE.equals(i.get("unique"))) {
                        throw HookedPools.commandError(1, "injected: the new email_1 could not be built");
                    }
                }
            }
            commands.add(what);
        }));
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        MigrateAllFixture.provision(cli, MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1), List.of("acme"));
        Fleet f = new Fleet(pools, url, cli, commands, new MigrateAllFixture.Direct());
        for (int i = 0; i < 50; i++) {
            f.db("acme").getCollection("users").insertOne(new Document("email", "u" + i + "@acme.test").append("tenant", "t" + (i % 5)));
        }
        commands.clear();
        return f;
    }

    @Test
    void aSupersededIndexIsDroppedOnlyAfterItsReplacementExists(@TempDir Path dir) {
        Fleet f = fleet(dir, new AtomicBoolean(false));
        Path v2 = MigrateAllFixture.write(dir, "v2.json", V2_RENAME);
        JsonNode dry = strictJson(ok(f.cli(), "migrate-all", "--schema", v2.toString(), "--dry-run", "-o", "json"));
        JsonNode plan = dry.get("orgs").get(0).get("plan");
        assertThat(plan.get("replaced").get(0).asText()).isEqualTo("users.by_tenant (was tenant_1)");
        assertThat(plan.get("create_indexes").get(0).asText()).isEqualTo("users.tenant_1_email_1");
        assertThat(f.indexes("acme").get("users")).containsKey("tenant_1");

        ok(f.cli(), "migrate-all", "--schema", v2.toString());
        try (MigrateAllFixture.Direct d = f.direct()) {
            assertThat(f.indexes("acme").get("users").keySet()).containsExactlyInAnyOrder("email_1", "by_tenant", "tenant_1_email_1");
            SchemaCheck.assertClean(f.url(), "acme", SchemaManifest.load(v2));
            // the new unique index was built before anything was dropped; the same-key one replaced tenant_1 right after it went
            int created = indexOf(f.commands(), "createIndexes users.tenant_1_email_1");
            int droppedOld = indexOf(f.commands(), "dropIndexes users.tenant_1");
            int createdSameKey = indexOf(f.commands(), "createIndexes users.by_tenant");
            assertThat(created).as(f.commands().toString()).isLessThan(droppedOld);
            assertThat(droppedOld).as(f.commands().toString()).isEqualTo(createdSameKey - 1);
            assertThat(f.db("acme").getCollection("users").countDocuments()).isEqualTo(50);
        }
    }

    @Test
    void aDuplicateUnderANewUniqueIndexIsFoundFirstAndTheOrgKeepsItsIndexes(@TempDir Path dir) {
        Fleet f = fleet(dir, new AtomicBoolean(false));
        f.db("acme").getCollection("users").insertOne(new Document("email", "u7@acme.test").append("tenant", "t2").append("_id", "dup-1"));
        f.db("acme").getCollection("users").insertOne(new Document("tenant", "t3").append("_id", "no-email-1"));
        f.db("acme").getCollection("users").insertOne(new Document("tenant", "t3").append("_id", "no-email-2"));
        Map<String, Map<String, Document>> before = f.indexes("acme");
        Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_CONFLICT);

        Cli.Result dry = f.cli().run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "--dry-run", "-o", "json");
        assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
        assertThat(strictJson(dry).get("failed").get(0).get("error").asText()).contains("users.email_1").contains("u7@acme.test");

        Cli.Result run = f.cli().run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode failed = strictJson(run).get("failed").get(0);
        String error = failed.get("error").asText();
        assertThat(error).contains("duplicate keys under new unique index users.email_1").contains("nothing was changed")
                .contains("{\"email\": \"u7@acme.test\"} x2").contains("\"dup-1\"")
                // a unique, not sparse index counts a missing field as null: two users without an email collide too
                .contains("{\"email\": null} x2").contains("\"no-email-1\"");
        assertThat(failed.get("next_step").isNull()).as("documents to remove first: no command to run as it is").isTrue();
        assertThat(failed.get("next_note").asText()).contains("remove the duplicate documents");
        try (MigrateAllFixture.Direct d = f.direct()) {
            assertThat(f.indexes("acme")).as("the org kept exactly its indexes").isEqualTo(before);
            assertThat(f.commands()).noneMatch(c -> c.startsWith("dropIndexes") || c.startsWith("createIndexes"));
        }
        assertThat(MigrateAllFixture.hashes(f.cli()).get("acme")).isEqualTo(SchemaManifest.parse(MigrateAllFixture.V1, "v1").hash());
    }

    @Test
    void aUniqueIndexOnAnArrayIsCheckedElementByElement(@TempDir Path dir) {
        Fleet f = fleet(dir, new AtomicBoolean(false));
        // the index holds one key per element: "y" is in two documents; "q" twice in one document is no duplicate
        f.db("acme").getCollection("users").insertOne(new Document("_id", "a").append("tags", List.of("x", "y"))
                .append("items", List.of(new Document("sku", 1), new Document("sku", 2))));
        f.db("acme").getCollection("users").insertOne(new Document("_id", "b").append("tags", List.of("y", "z"))
                .append("items", List.of(new Document("sku", 2))));
        f.db("acme").getCollection("users").insertOne(new Document("_id", "c").append("tags", List.of("q", "q"))
                .append("items", List.of(new Document("sku", 3), new Document("sku", 3))));
        Map<String, Map<String, Document>> before = f.indexes("acme");
        String v2 = MigrateAllFixture.V1.replace("{\"name\": \"tenant_1\", \"key\": {\"tenant\": 1}}",
                "{\"name\": \"tenant_1\", \"key\": {\"tenant\": 1}},"
                        + " {\"name\": \"tags_1\", \"key\": {\"tags\": 1}, \"unique\": true, \"sparse\": true},"
                        + " {\"name\": \"sku_1\", \"key\": {\"items.sku\": 1}, \"unique\": true, \"sparse\": true}");
        Path file = MigrateAllFixture.write(dir, "v2.json", v2);

        Cli.Result dry = f.cli().run("migrate-all", "--schema", file.toString(), "--dry-run", "-o", "json");
        assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
        Cli.Result run = f.cli().run("migrate-all", "--schema", file.toString(), "-o", "json");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        for (Cli.Result r : List.of(dry, run)) {
            String error = strictJson(r).get("failed").get(0).get("error").asText();
            // the two documents in either order (a set of ids)
            assertThat(error).as(r.toString()).containsPattern("users.tags_1: \\{\"tags\": \"y\"} x2 \\(_id \"[ab]\", \"[ab]\"\\)")
                    .containsPattern("users.sku_1: \\{\"items.sku\": 2} x2 \\(_id \"[ab]\", \"[ab]\"\\)")
                    .doesNotContain("\"q\"").doesNotContain("\"c\"");
        }
        try (MigrateAllFixture.Direct d = f.direct()) {
            assertThat(f.indexes("acme")).as("nothing was created or dropped").isEqualTo(before);
            assertThat(f.commands()).noneMatch(c -> c.startsWith("dropIndexes") || c.startsWith("createIndexes"));

            // without the documents sharing an element, the same rollout goes through: one document's repeated element is no duplicate
            f.db("acme").getCollection("users").deleteOne(new Document("_id", "b"));
            ok(f.cli(), "migrate-all", "--schema", file.toString());
            SchemaCheck.assertClean(f.url(), "acme", SchemaManifest.load(file));
        }
    }

    @Test
    void sparseAndPartialUniqueIndexesAreCheckedOnTheDocumentsTheyHold(@TempDir Path dir) {
        Fleet f = fleet(dir, new AtomicBoolean(false));
        f.db("acme").getCollection("users").insertOne(new Document("tenant", "t3").append("_id", "no-email-1"));
        f.db("acme").getCollection("users").insertOne(new Document("tenant", "t3").append("_id", "no-email-2"));
        // u1 again, archived: the only document the partial index holds. Without its filter the check would find
        // {u1, t1} and {null, t3} twice each (and the sparse one would if it counted documents with neither field)
        f.db("acme").getCollection("users").insertOne(new Document("email", "u1@acme.test").append("tenant", "t1").append("kind", "archived").append("deleted", true));
        String v2 = MigrateAllFixture.V1.replace("{\"name\": \"email_1\", \"key\": {\"email\": 1}}",
                "{\"name\": \"email_1\", \"key\": {\"email\": 1}},"
                        + " {\"name\": \"email_sparse\", \"key\": {\"email\": 1, \"kind\": -1}, \"unique\": true, \"sparse\": true},"
                        + " {\"name\": \"email_live\", \"key\": {\"email\": 1, \"tenant\": 1}, \"unique\": true,"
                        + " \"partialFilterExpression\": {\"kind\": {\"$exists\": true}}}");
        Path file = MigrateAllFixture.write(dir, "v2.json", v2);
        ok(f.cli(), "migrate-all", "--schema", file.toString());
        SchemaCheck.assertClean(f.url(), "acme", SchemaManifest.load(file));
        f.direct().close();
    }

    @Test
    void aRebuildWhoseNewSpecFailsPutsTheOldIndexBack(@TempDir Path dir) {
        AtomicBoolean fail = new AtomicBoolean(true);
        Fleet f = fleet(dir, fail);
        Document oldEmail = f.indexes("acme").get("users").get("email_1");
        Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_CONFLICT);

        Cli.Result run = f.cli().run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        String error = strictJson(run).get("failed").get(0).get("error").asText();
        assertThat(error).contains("rebuilding users.email_1").contains("injected").contains("was put back");
        try (MigrateAllFixture.Direct d = f.direct()) {
            Map<String, Document> users = f.indexes("acme").get("users");
            assertThat(users.get("email_1").get("key")).isEqualTo(oldEmail.get("key"));
            assertThat(users.get("email_1").get("unique")).isNull();
            // what could be added was added; nothing was lost; the org is between v1 and v2, so it records no hash (its
            // schema is unknown) and the next run, of either manifest, tries again and inspects every collection
            assertThat(f.indexes("acme").get("messages")).containsKeys("conv_1", "created_-1");
            assertThat(f.indexes("acme")).containsKey("files");
            assertThat(MigrateAllFixture.hashes(f.cli()).get("acme")).isNull();

            fail.set(false);
            ok(f.cli(), "migrate-all", "--schema", v2.toString(), "--replace-conflicting");
            SchemaCheck.assertClean(f.url(), "acme", SchemaManifest.load(v2));
            assertThat(f.indexes("acme").get("users").get("email_1").getBoolean("unique")).isTrue();
        }
    }

    private static int indexOf(List<String> commands, String prefix) {
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no " + prefix + " in " + commands);
    }
}
