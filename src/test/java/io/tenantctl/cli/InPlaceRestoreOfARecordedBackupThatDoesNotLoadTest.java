package io.tenantctl.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (unusual data): a backup taken without --freeze reads a live collection batch by batch, so it can hold a set
 * of documents that never existed at once — a unique key moved from one document to another between two batches, or a
 * document returned twice by a server whose scan saw it move. tenantctl records such a backup complete (its files
 * agree with its manifest), and in-place restore trusted every recorded backup to load: it dropped the org's database,
 * then failed on the duplicate, leaving the org {@code restoring} with part of its data, and a re-run failing the same
 * way. A backup that does not load must be refused before the drop, whoever recorded it.
 */
@Timeout(180)
class InPlaceRestoreOfARecordedBackupThatDoesNotLoadTest {

    @TempDir
    Path dir;

    @Test
    void aRecordedBackupThatDoesNotLoadIsRefusedBeforeTheOrgsDatabaseIsDropped() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String id = f.backup("acme", "--compression", "none");
            aDocumentTwice(f, id); // as a live scan could have read it; the catalog records this very manifest
            Map<String, List<RawBsonDocument>> live = BackupFixture.contents(f.db("acme"));

            Cli.Result inPlace = f.cli.run("restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing");

            assertThat(inPlace.exitCode()).as(inPlace.toString()).isEqualTo(1);
            assertThat(inPlace.err()).as("refused before the drop: %s", inPlace).contains("does not load").doesNotContain("WAS DROPPED");
            assertThat(f.org("acme").get("status").asText()).as("acme after the in-place restore: %s", inPlace).isEqualTo("active");
            f.assertHolds("acme", live);
        }
    }

    /** The first line of notes.ndjson once more at its end, the manifest and the catalog's sha256 of it agreeing. */
    private static void aDocumentTwice(BackupFixture f, String id) throws Exception {
        Path backup = f.storeDir.resolve("acme").resolve(id);
        Path notes = backup.resolve("notes.ndjson");
        String text = Files.readString(notes, StandardCharsets.UTF_8);
        byte[] bytes = (text + text.substring(0, text.indexOf('\n') + 1)).getBytes(StandardCharsets.UTF_8);
        Files.write(notes, bytes);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) mapper.readTree(backup.resolve("manifest.json").toFile());
        for (var c : (ArrayNode) manifest.get("collections")) {
            if (c.get("name").asText().equals("notes")) {
                ((ObjectNode) c).put("docs", c.get("docs").asLong() + 1);
                ((ObjectNode) c).put("bytes", bytes.length);
                ((ObjectNode) c).put("sha256", sha256(bytes));
            }
        }
        byte[] written = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        Files.write(backup.resolve("manifest.json"), written);
        try (Connection c = DriverManager.getConnection(f.catalogUrl);
             PreparedStatement s = c.prepareStatement("update backups set sha256 = ? where backup_id = ?")) {
            s.setString(1, sha256(written));
            s.setString(2, id);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
