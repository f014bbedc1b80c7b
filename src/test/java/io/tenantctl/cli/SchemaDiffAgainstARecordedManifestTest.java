package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Found by probing restores across schema versions: an org restored from a backup taken under v1, after the fleet moved to
 * v2, records v1 — but {@code schema diff} compared only with a file or the built-in model, so once v1.json was gone (a
 * deploy pipeline's file, on another machine) nothing could check the org against what the catalog says it has; verify's
 * fixes said {@code --schema MANIFEST}. {@code schema diff --schema-hash} compares with a manifest the catalog recorded.
 */
class SchemaDiffAgainstARecordedManifestTest {

    @Test
    void anOrgRestoredUnderAnOlderManifestIsDiffedAgainstTheOneTheCatalogRecords(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
            MigrateAllFixture.provision(f.cli, v1, List.of("acme"));
            f.db("acme").getCollection("messages").insertMany(List.of(new Document("_id", 1).append("text", "a"),
                    new Document("_id", 2).append("text", "b")));
            ok(f.cli, "backup", "--org", "acme");
            String v2Hash = strictJson(ok(f.cli, "migrate-all", "--schema", v2.toString(), "-o", "json")).get("schema_hash").asText();
            ok(f.cli, "restore", "--org", "acme");
            String recorded = f.org("acme").get("schema_hash").asText();
            assertThat(recorded).as("the backup's manifest").isNotEqualTo(v2Hash);
            Files.delete(v1); // the file the org was provisioned with is gone

            Cli.Result own = f.cli.run("schema", "diff", "acme", "--schema-hash", recorded.substring(0, 12), "-o", "json");
            assertThat(own.exitCode()).as(own.toString()).isZero();
            JsonNode doc = strictJson(own);
            assertThat(doc.get("manifest_hash").asText()).isEqualTo(recorded);
            assertThat(doc.get("recorded_hash").asText()).isEqualTo(recorded);
            assertThat(doc.get("up_to_date").asBoolean()).isTrue();

            Cli.Result fleet = f.cli.run("schema", "diff", "acme", "--schema-hash", v2Hash);
            assertThat(fleet.exitCode()).as("behind the rollout: v2's index is missing %s", fleet).isEqualTo(4);
            assertThat(fleet.out()).contains("missing").contains("created_-1");

            Cli.Result both = f.cli.run("schema", "diff", "acme", "--schema", v2.toString(), "--schema-hash", v2Hash);
            assertThat(both.exitCode()).as(both.toString()).isEqualTo(2);
            assertThat(both.err()).contains("--schema and --schema-hash both name the manifest: give one");
            Cli.Result unknown = f.cli.run("schema", "diff", "acme", "--schema-hash", "0123456789abcdef");
            assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);

            ok(f.cli, "migrate-all", "--org", "acme", "--schema-hash", v2Hash);
            ok(f.cli, "schema", "diff", "acme", "--schema-hash", v2Hash);
            assertThat(f.db("acme").getCollection("messages").find().sort(new Document("_id", 1)).into(new ArrayList<>()))
                    .extracting(d -> d.getString("text")).containsExactly("a", "b");
        }
    }
}
