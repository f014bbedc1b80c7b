package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drift made behind tenantctl's back: users.email_1 (unique) was rebuilt by hand with a case-insensitive collation
 * (strength 2), so "A@x" and "a@x" now collide and the planner only uses it for queries with that collation. That index
 * is not the manifest's: `schema capture` refuses the very same option as something "a manifest cannot express",
 * yet `schema diff` (and so verify, adopt and `migrate-all --force`, which all use SchemaDiff) calls the org
 * "up to date" and exits 0. It must be a conflict (exit 4), as any other option that differs is.
 */
@Timeout(60)
class SchemaDiffSeesACollationOnAManifestIndexTest {

    private final TestPools pools = new TestPools(1);
    private final MongoClient direct = MongoClients.create(pools.uri(0));

    @AfterEach
    void stop() {
        direct.close();
        pools.close();
    }

    @Test
    void anIndexRebuiltWithACollationIsAConflictNotUpToDate(@TempDir Path dir) throws Exception {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        Path schema = Files.writeString(dir.resolve("schema.json"), """
                {"collections": [{"name": "users", "indexes": [{"name": "email_1", "key": {"email": 1}, "unique": true}]}]}
                """);
        ok(cli, "provision", "acme", "--schema", schema.toString());

        MongoDatabase db = direct.getDatabase("org_acme");
        db.getCollection("users").dropIndex("email_1");
        db.runCommand(new Document("createIndexes", "users").append("indexes", List.of(new Document("key", new Document("email", 1))
                .append("name", "email_1").append("unique", true).append("collation", new Document("locale", "en").append("strength", 2)))));
        assertThat(db.getCollection("users").listIndexes().into(new java.util.ArrayList<>()))
                .as("the pool lists the collation").anySatisfy(i -> assertThat(i.get("collation")).isNotNull());

        Cli.Result diff = cli.run("schema", "diff", "acme", "--schema", schema.toString(), "-o", "json");
        JsonNode doc = strictJson(diff);
        assertThat(doc.get("up_to_date").asBoolean()).as(diff.toString()).isFalse();
        assertThat(doc.get("counts").get("conflict").asInt()).as(diff.toString()).isEqualTo(1);
        assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(4);
    }
}
