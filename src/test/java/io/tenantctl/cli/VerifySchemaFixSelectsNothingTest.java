package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.IndexOptions;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.OnCallNextStepsTest.command;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team e: verify's fixes for {@code schema_superseded} and {@code schema_conflict}, followed literally (MANIFEST
 * being the manifest the org recorded: the only one it can be, since the drift happened behind tenantctl's back and the
 * org's hash still matches it). migrate-all selects only orgs whose recorded hash differs from the manifest's, so the
 * printed {@code migrate-all --org ORG --schema MANIFEST [...]} reports the org "unchanged", exits 0, and the next
 * verify reports the same finding with the same fix, for ever. Only {@code --force} makes migrate-all look at the org.
 */
@Timeout(180)
class VerifySchemaFixSelectsNothingTest {

    @TempDir
    Path dir;

    private static JsonNode finding(Cli.Result verify, String kind) {
        for (JsonNode x : strictJson(verify).get("findings")) {
            if (x.get("kind").asText().equals(kind)) {
                return x;
            }
        }
        return null;
    }

    private static String[] withManifest(String fix, Path manifest) {
        return Arrays.stream(command(fix)).map(a -> a.equals("MANIFEST") ? manifest.toString() : a).toArray(String[]::new);
    }

    /** The application (Mongoose autoIndex) re-creates an index the manifest in force drops. */
    @Test
    void theSupersededFixFollowedDropsTheSupersededIndex() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            Path dropping = dir.resolve("dropping.json");
            Files.writeString(dropping, CliFixture.SMALL_SCHEMA.replace("\"name\": \"messages\",", "\"name\": \"messages\", \"drop\": [\"legacy_1\"],"));
            ok(f.cli, "migrate-all", "--org", "acme", "--schema", dropping.toString());
            f.db("acme").getCollection("messages").createIndex(new Document("legacy", 1), new IndexOptions().name("legacy_1"));

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            JsonNode found = finding(v, "schema_superseded");
            assertThat(found).as(v.toString()).isNotNull();
            String fix = found.get("fix").asText();

            Cli.Result followed = f.cli.run(withManifest(fix, dropping));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();

            Cli.Result again = f.cli.run("verify", "-o", "json");
            assertThat(finding(again, "schema_superseded"))
                    .as("after following '%s' (printed: %s) verify still reports the superseded index:%n%s", fix, followed.out(), again)
                    .isNull();
            assertThat(f.db("acme").getCollection("messages").listIndexes().into(new ArrayList<>()))
                    .extracting(d -> d.getString("name")).doesNotContain("legacy_1");
        }
    }

    /** Someone rebuilt users.email_1 by hand without its unique option: duplicates can now be written. */
    @Test
    void theConflictFixFollowedPutsTheManifestsIndexBack() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            f.db("acme").getCollection("users").dropIndex("email_1");
            f.db("acme").getCollection("users").createIndex(new Document("email", 1), new IndexOptions().name("email_1"));

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            JsonNode found = finding(v, "schema_conflict");
            assertThat(found).as(v.toString()).isNotNull();
            String fix = found.get("fix").asText();
            // "tenantctl schema diff acme, then: tenantctl migrate-all --org acme --schema MANIFEST --replace-conflicting"
            assertThat(fix).contains(", then: ");
            String change = fix.substring(fix.indexOf(", then: ") + ", then: ".length());

            Cli.Result followed = f.cli.run(withManifest(change, f.schema));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();

            Cli.Result again = f.cli.run("verify", "-o", "json");
            assertThat(finding(again, "schema_conflict"))
                    .as("after following '%s' (printed: %s) verify still reports the conflict:%n%s", change, followed.out(), again)
                    .isNull();
            List<Document> users = f.db("acme").getCollection("users").listIndexes().into(new ArrayList<>());
            assertThat(users).filteredOn(d -> "email_1".equals(d.getString("name"))).singleElement()
                    .satisfies(d -> assertThat(d.getBoolean("unique", false)).as("the unique constraint is back").isTrue());
        }
    }
}
