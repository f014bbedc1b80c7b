package io.tenantctl.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: the catalog records each backup's manifest SHA-256 ({@code backups.sha256}, "the SHA-256 of manifest.json"),
 * but neither {@code restore} nor {@code verify --deep} compares the store's manifest with it: they check the files only
 * against the manifest that sits next to them. A backup whose file and manifest were both changed in the store (by hand,
 * by a script, by someone with write access to the bucket) restores "verified" with the changed documents, and
 * {@code verify --deep} calls it clean.
 */
class BackupManifestRecordedTest {

    @TempDir
    Path dir;

    @Test
    void aBackupWhoseManifestNoLongerMatchesTheCatalogIsRefused() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.db("acme").getCollection("ledger").insertMany(List.of(new Document("_id", 1).append("balance", 10),
                    new Document("_id", 2).append("balance", 20)));
            Map<String, List<RawBsonDocument>> original = BackupFixture.contents(f.db("acme"));
            String id = f.backup("acme", "--compression", "none");

            Path file = f.storeDir.resolve("acme").resolve(id).resolve("ledger.ndjson");
            String text = Files.readString(file).replace("{\"$numberInt\": \"10\"}", "{\"$numberInt\": \"1000000\"}");
            assertThat(text).contains("1000000");
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            Files.write(file, bytes);
            Path manifestFile = f.storeDir.resolve("acme").resolve(id).resolve("manifest.json");
            ObjectMapper json = new ObjectMapper();
            ObjectNode manifest = (ObjectNode) json.readTree(manifestFile.toFile());
            manifest.get("collections").forEach(c -> {
                if (c.get("name").asText().equals("ledger")) {
                    try {
                        ((ObjectNode) c).put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    ((ObjectNode) c).put("bytes", bytes.length);
                }
            });
            Files.writeString(manifestFile, json.writeValueAsString(manifest));

            Cli.Result deep = f.cli.run("verify", "--deep", "--org", "acme");
            Cli.Result r = f.cli.run("restore", "--org", "acme", "--backup", id);

            assertThat(r.exitCode()).as("restore of a backup whose manifest is not the one recorded: %s%nverify --deep: %s", r, deep)
                    .isEqualTo(1);
            assertThat(r.err()).as(r.toString()).contains("is not the manifest this backup was written with");
            assertThat(deep.exitCode()).as(deep.toString()).isEqualTo(4);
            assertThat(deep.out()).as(deep.toString()).contains("backup_corrupt").contains("is not the manifest this backup was written with");
            f.assertHolds("acme", original);
        }
    }
}
