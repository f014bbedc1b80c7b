package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import io.tenantctl.testing.Cli;
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
 * An org whose manifest index users.tenant_1 {tenant: 1} was rebuilt behind tenantctl's back under another name
 * (by_tenant, same key: what an application's own autoIndex or a DBA does). verify reports schema_missing with the fix
 * "tenantctl verify --org acme --fix"; followed literally, that fix sends createIndexes for tenant_1, which the server
 * refuses (85 IndexOptionsConflict: the key exists under another name), and verify turns the finding into
 * "check_failed: org acme could not be checked" with a fix that loops back to verify. A fix verify offers must either
 * work or leave the index for a person, saying why (as --fix already does for duplicates and TTL indexes).
 */
@Timeout(60)
class VerifyFixOfAnIndexKeptUnderAnotherNameTest {

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void theFixVerifyOffersForAMissingIndexDoesNotFailTheOrgsCheck(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "v1.json", V1), "acme");
        MongoDatabase db = fleet.db("acme");
        db.getCollection("users").insertOne(new Document("email", "ada@acme.test").append("tenant", "t1"));
        db.getCollection("users").dropIndex("tenant_1");
        db.getCollection("users").createIndex(new Document("tenant", 1), new IndexOptions().name("by_tenant"));

        Cli.Result first = cli.run("verify", "-o", "json");
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(4);
        JsonNode missing = finding(strictJson(first), "schema_missing");
        assertThat(missing.get("detail").asText()).contains("users.tenant_1");
        String fix = missing.get("fix").asText();
        assertThat(fix).startsWith("tenantctl verify --org acme --fix");

        // the fix, followed literally (its note in parentheses left out)
        List<String> args = new ArrayList<>(List.of(fix.replaceAll("\\s+\\(.*\\)$", "").replaceFirst("^tenantctl ", "").split(" ")));
        args.addAll(List.of("-o", "json"));
        Cli.Result fixed = cli.run(args.toArray(String[]::new));
        JsonNode doc = strictJson(fixed);

        assertThat(doc.get("failed")).as("the org's check must not fail because of the fix: %s", fixed).isEmpty();
        List<String> kinds = new ArrayList<>();
        doc.get("findings").forEach(f -> kinds.add(f.get("kind").asText()));
        assertThat(kinds).as("the org's schema finding is still reported as such, not replaced by check_failed: %s", fixed)
                .doesNotContain("check_failed");
        assertThat(doc.toString()).as("what is left names the index and its same-key twin").contains("users.tenant_1").contains("by_tenant");
        assertThat(fleet.indexes("acme").get("users")).as("the index the org has is left as it was")
                .containsKey("by_tenant");
        assertThat(db.getCollection("users").countDocuments()).isEqualTo(1);
    }

    private static JsonNode finding(JsonNode verify, String kind) {
        for (JsonNode f : verify.get("findings")) {
            if (f.get("kind").asText().equals(kind)) {
                return f;
            }
        }
        throw new AssertionError("no " + kind + " finding in " + verify.toPrettyString());
    }
}
