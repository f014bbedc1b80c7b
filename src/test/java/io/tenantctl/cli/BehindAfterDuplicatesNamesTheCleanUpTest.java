package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found verify's {@code schema_behind} fix, and {@code orgs show}'s next, for an org the rollout failed
 * on duplicate keys (its unique pre-flight found them) to be the bare {@code migrate-all --org b2 --schema-hash …}: pasted,
 * it fails again the same way, exit 1. migrate-all itself says "remove the duplicate documents named above, then: …"
 * with no next_step. README: a fix is null "when the way on needs a hand … documents … to change".
 */
class BehindAfterDuplicatesNamesTheCleanUpTest {

    private static final String V2 = CliFixture.smallSchemaWithUniqueUsername(true);

    @TempDir
    Path dir;

    @Test
    void anOrgARolloutFailedOnDuplicatesIsNotToldToRunItAgainAsItIs() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v2 = Files.writeString(dir.resolve("v2.json"), V2);
            JsonNode failed = rolloutFailedOnDuplicates(f, v2);
            assertThat(failed.get("next_step").isNull()).as(failed.toString()).isTrue();

            Cli.Result verify = f.cli.run("verify", "--org", "b2", "-o", "json");
            List<JsonNode> behind = findings(strictJson(verify), "schema_behind");
            assertThat(behind).as(verify.toString()).hasSize(1);
            assertThat(behind.get(0).get("fix").isNull()).as("pasted, the bare migrate-all fails again: %s", behind.get(0)).isTrue();
            assertThat(behind.get(0).get("fix_note").asText()).as(behind.get(0).toString())
                    .contains("duplicate").contains("tenantctl migrate-all --org b2 --schema-hash");

            JsonNode shown = strictJson(CliFixture.ok(f.cli, "orgs", "show", "b2", "-o", "json"));
            assertThat(shown.get("next_note").asText()).as(shown.toString()).startsWith("remove the duplicate documents")
                    .contains("tenantctl migrate-all --org b2 --schema-hash");
        }
    }

    /**
     * And {@code orgs resume} of such an org (suspended after the rollout) named only the bare catch-up too: it names the
     * clean-up first, as {@code orgs show} does, and once the duplicates are gone the command after "then: " catches up.
     */
    @Test
    void resumingAnOrgARolloutFailedOnDuplicatesNamesTheCleanUpThenTheCatchUp() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v2 = Files.writeString(dir.resolve("v2.json"), V2);
            rolloutFailedOnDuplicates(f, v2);
            CliFixture.ok(f.cli, "orgs", "suspend", "b2");

            Cli.Result resumed = CliFixture.ok(f.cli, "orgs", "resume", "b2");
            assertThat(resumed.err()).as(resumed.toString()).contains("next for b2: remove the duplicate documents run ")
                    .contains("then: tenantctl migrate-all --org b2 --schema-hash");
            CliFixture.ok(f.cli, "orgs", "suspend", "b2");
            JsonNode json = strictJson(CliFixture.ok(f.cli, "orgs", "resume", "b2", "-o", "json"));
            String next = json.get("next").asText();
            JsonNode shown = strictJson(CliFixture.ok(f.cli, "orgs", "show", "b2", "-o", "json"));
            assertThat(next).as("resume names what orgs show names: %s", json).isEqualTo(shown.get("next_note").asText())
                    .startsWith("remove the duplicate documents");

            // the duplicates gone, the command after "then: " brings the org up to the rollout
            f.db("b2").getCollection("users").deleteOne(new Document("email", "y@b2"));
            String catchUp = next.substring(next.indexOf("then: ") + "then: ".length());
            List<String> args = new ArrayList<>(Arrays.asList(catchUp.split(" ")).subList(1, catchUp.split(" ").length));
            CliFixture.ok(f.cli, args.toArray(String[]::new));
            Cli.Result diff = f.cli.run("schema", "diff", "b2", "--schema", v2.toString());
            assertThat(diff.exitCode()).as(diff.toString()).isZero();
        }
    }

    /**
     * Likewise for an org the rollout failed on a conflicting index (its username_1 built by hand, not unique): verify's
     * fix, orgs show's next, was the bare catch-up without --replace-conflicting, which run as printed failed on the very
     * same conflict, exit 1. It now names the catch-up with --replace-conflicting and --dry-run, as migrate-all's own next
     * does, and that, run as printed and then without --dry-run, brings the org up to the rollout.
     */
    @Test
    void anOrgARolloutFailedOnAConflictIsToldToReplaceIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v2 = Files.writeString(dir.resolve("v2.json"), V2);
            f.provision("b1", "b2");
            f.db("b2").getCollection("users").createIndex(new Document("username", 1), new com.mongodb.client.model.IndexOptions().name("username_1"));
            Cli.Result rollout = f.cli.run("migrate-all", "--schema", v2.toString());
            assertThat(rollout.exitCode()).as(rollout.toString()).isEqualTo(1);
            assertThat(rollout.err()).as(rollout.toString()).contains("pass --replace-conflicting");

            List<JsonNode> behind = findings(strictJson(f.cli.run("verify", "--org", "b2", "-o", "json")), "schema_behind");
            assertThat(behind).hasSize(1);
            String fix = behind.get(0).get("fix").asText();
            assertThat(fix).as(behind.get(0).toString()).contains("--replace-conflicting");
            JsonNode shown = strictJson(CliFixture.ok(f.cli, "orgs", "show", "b2", "-o", "json"));
            assertThat(shown.get("next").asText()).as(shown.toString()).startsWith(fix);

            List<String> args = new ArrayList<>(Arrays.asList(fix.split(" ")).subList(1, fix.split(" ").length));
            CliFixture.ok(f.cli, args.toArray(String[]::new)); // as printed
            args.remove("--dry-run");
            CliFixture.ok(f.cli, args.toArray(String[]::new));
            Cli.Result diff = f.cli.run("schema", "diff", "b2", "--schema", v2.toString());
            assertThat(diff.exitCode()).as(diff.toString()).isZero();
        }
    }

    /**
     * And for one it failed on documents a new TTL index would expire at once (a run without --allow-expiry): the bare
     * catch-up, run as printed, was refused the same way, exit 1. It is now that catch-up's --dry-run, which says how many
     * would expire (the note: a backup, then --allow-expiry, if intended), as migrate-all's own next does.
     */
    @Test
    void anOrgARolloutFailedOnExpiringDocumentsIsToldToLookFirst() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v2 = Files.writeString(dir.resolve("v2.json"), CliFixture.SMALL_SCHEMA.replace("{\"conversationId\": 1, \"createdAt\": -1}}",
                    "{\"conversationId\": 1, \"createdAt\": -1}},\n    {\"name\": \"expiresAt_1\", \"key\": {\"expiresAt\": 1}, \"expireAfterSeconds\": 0}"));
            f.provision("b1", "b2");
            f.db("b2").getCollection("messages").insertOne(new Document("expiresAt", new java.util.Date(0)));
            Cli.Result rollout = f.cli.run("migrate-all", "--schema", v2.toString());
            assertThat(rollout.exitCode()).as(rollout.toString()).isEqualTo(1);
            assertThat(rollout.err()).as(rollout.toString()).contains("--allow-expiry");

            List<JsonNode> behind = findings(strictJson(f.cli.run("verify", "--org", "b2", "-o", "json")), "schema_behind");
            assertThat(behind).hasSize(1);
            String fix = behind.get(0).get("fix").asText();
            assertThat(fix).as(behind.get(0).toString()).endsWith(" --dry-run").doesNotContain("--allow-expiry");
            assertThat(behind.get(0).get("fix_note").asText()).contains("--allow-expiry");
            List<String> args = new ArrayList<>(Arrays.asList(fix.split(" ")).subList(1, fix.split(" ").length));
            Cli.Result asPrinted = f.cli.run(args.toArray(String[]::new));
            assertThat(asPrinted.out()).as(asPrinted.toString()).contains("expiresAt_1");
            assertThat(f.db("b2").getCollection("messages").countDocuments()).isEqualTo(1);
        }
    }

    /** b1 and b2 provisioned, b2 given two users of one username, and the rollout of V2's unique index failing on b2. */
    private static JsonNode rolloutFailedOnDuplicates(BackupFixture f, Path v2) throws Exception {
        f.provision("b1", "b2");
        f.db("b2").getCollection("users").insertMany(List.of(new Document("email", "x@b2").append("username", "dup"),
                new Document("email", "y@b2").append("username", "dup")));
        Cli.Result rollout = f.cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(rollout.exitCode()).as(rollout.toString()).isEqualTo(1);
        JsonNode failed = strictJson(rollout).get("failed").get(0);
        assertThat(failed.get("error").asText()).as(rollout.toString()).contains("duplicate keys");
        return failed;
    }
}
