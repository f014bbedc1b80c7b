package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.IndexOptions;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing restores across schema versions: an org restored from a backup taken under v1 (the fleet since on v2)
 * whose v1.json is gone got verify's schema fixes with the placeholder {@code --schema MANIFEST} — no command to paste —
 * though the catalog holds v1. They now name it by its hash ({@code --schema-hash}, which schema diff and migrate-all
 * take), and followed literally they put the org right: {@code schema diff} clean, documents as backed up.
 */
class VerifyFixesByRecordedManifestTest {

    @Test
    void aSchemaFixForAnOrgWhoseManifestFileIsGoneNamesTheCatalogsCopy(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
            MigrateAllFixture.provision(f.cli, v1, List.of("acme"));
            f.db("acme").getCollection("users").insertMany(List.of(new Document("_id", 1).append("email", "a@x"),
                    new Document("_id", 2).append("email", "b@x")));
            ok(f.cli, "backup", "--org", "acme");
            ok(f.cli, "migrate-all", "--schema", v2.toString());
            ok(f.cli, "restore", "--org", "acme");
            String v1Hash = f.org("acme").get("schema_hash").asText();
            Files.delete(v1);
            // drift on the restored org: email_1 rebuilt unique behind tenantctl's back
            f.db("acme").getCollection("users").dropIndex("email_1");
            f.db("acme").getCollection("users").createIndex(new Document("email", 1), new IndexOptions().name("email_1").unique(true));

            Cli.Result verified = f.cli.run("verify", "--org", "acme", "-o", "json");
            JsonNode conflict = null;
            for (JsonNode x : strictJson(verified).get("findings")) {
                if (x.get("kind").asText().equals("schema_conflict")) {
                    conflict = x;
                }
            }
            assertThat(conflict).as(verified.toString()).isNotNull();
            String fix = conflict.get("fix").asText(null);
            assertThat(fix).as("a command to paste, naming the catalog's copy of v1: %s", conflict)
                    .isEqualTo("tenantctl schema diff acme --schema-hash " + v1Hash);
            Cli.Result diff = f.cli.run(fix.substring("tenantctl ".length()).split(" "));
            assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(4);
            assertThat(diff.out()).contains("conflict").contains("email_1");
            String then = conflict.get("fix_note").asText().replaceFirst("^then: ", "");
            assertThat(then).startsWith("tenantctl migrate-all --org acme --schema-hash " + v1Hash);
            ok(f.cli, then.substring("tenantctl ".length()).split(" "));
            ok(f.cli, "schema", "diff", "acme", "--schema-hash", v1Hash);
            assertThat(f.db("acme").getCollection("users").find().sort(new Document("_id", 1)).into(new ArrayList<>()))
                    .extracting(d -> d.getString("email")).containsExactly("a@x", "b@x");
        }
    }
}
