package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * verify checks an org against the manifest the catalog records for it, but two of the commands it hands a person for
 * schema findings leave out --schema, and migrate-all and schema diff then use the built-in LibreChat model: for an
 * org rolled out with its own manifest (every fleet that uses --schema, or that is on an older LibreChat model) the
 * hint, followed literally, shows a plan or a diff against another manifest — 45 collections "to create" and
 * conflicts that do not exist — and the next step that plan prints would migrate the org to the built-in model.
 */
@Timeout(90)
class VerifySchemaHintsUseTheOrgsManifestTest {

    private static final String OWN = """
            {"collections": [
              {"name": "users", "indexes": [
                {"name": "email_1", "key": {"email": 1}, "unique": true},
                {"name": "tenant_1", "key": {"tenant": 1}}
              ]},
              {"name": "messages", "indexes": [
                {"name": "conv_1", "key": {"conversationId": 1}}
              ]}
            ]}
            """;

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    private Cli acme(Path dir) {
        own = write(dir, "own.json", OWN);
        return fleet.provision(own, "acme");
    }

    private Path own;

    /**
     * The command as a person runs it: the placeholder MANIFEST (which other verify hints use) replaced with the file the
     * org was rolled out with, nothing else changed.
     */
    private String[] literally(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command.trim().replaceFirst("^tenantctl ", "").replace("MANIFEST", own.toString())
                .split("\\s+")));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** verify --fix leaves a unique index over duplicates; the finding's fix is the rollout's dry run that shows why. */
    @Test
    void theDryRunVerifyFixPointsAtPlansTheOrgsOwnManifest(@TempDir Path dir) {
        Cli cli = acme(dir);
        MongoDatabase db = fleet.db("acme");
        db.getCollection("users").dropIndex("email_1");
        db.getCollection("users").insertOne(new Document("_id", "dup-1").append("email", "ada@acme.test"));
        db.getCollection("users").insertOne(new Document("_id", "dup-2").append("email", "ada@acme.test"));

        Cli.Result fix = cli.run("verify", "--org", "acme", "--fix", "-o", "json");
        String fixed = strictJson(fix).get("findings").get(0).get("fix").asText();
        Matcher m = Pattern.compile("^(tenantctl migrate-all .*)$").matcher(fixed); // the command alone, its reasons in fix_note
        assertThat(m.find()).as("verify --fix names a command that shows what it left: %s", fix).isTrue();

        Cli.Result shown = cli.run(literally(m.group(1), "-o", "json"));
        JsonNode org = strictJson(shown).get("orgs").get(0);
        assertThat(org.get("plan").get("create_collections")).as("the plan is against the org's manifest, which has all of "
                + "its collections: %s", shown).isEmpty();
        assertThat(org.get("error").asText()).as(shown.toString()).contains("users.email_1").contains("ada@acme.test");
    }

    /** A schema_extra finding's fix is "tenantctl schema diff acme": it must show that extra, against the org's manifest. */
    @Test
    void theSchemaDiffVerifyPointsAtComparesWithTheOrgsOwnManifest(@TempDir Path dir) {
        Cli cli = acme(dir);
        fleet.db("acme").getCollection("users").createIndex(new Document("role", 1));

        Cli.Result verify = cli.run("verify", "-o", "json");
        String hint = null;
        for (JsonNode f : strictJson(verify).get("findings")) {
            if (f.get("kind").asText().equals("schema_extra")) {
                hint = f.get("fix").asText();
            }
        }
        assertThat(hint).as(verify.toString()).startsWith("tenantctl schema diff acme");

        Cli.Result diff = cli.run(literally(hint, "-o", "json"));
        JsonNode doc = strictJson(diff);
        assertThat(doc.get("counts").get("missing_collection").asInt()).as("compared with the org's manifest: %s", diff).isZero();
        assertThat(doc.get("counts").get("missing").asInt()).as(diff.toString()).isZero();
        assertThat(doc.get("differences").toString()).contains("role_1");
    }
}
