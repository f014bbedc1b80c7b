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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (restore from backups that are not what they claim): {@code restore --in-place --drop-existing} "reads and
 * checks the whole backup first, then drops the org's current database". The check is sha256, size, count and that every
 * line parses — not that the backup can be loaded. A hand-made (or copied, or older-tenantctl) backup whose file holds
 * the same {@code _id} on two lines passes every one of those checks: the manifest agrees with the file, and a backup
 * the catalog never recorded has no catalog sha256 to disagree with. So the restore drops the org's database, then
 * {@code insertMany} fails on the duplicate key: the org is left {@code restoring} (not writable) with part of the
 * backup, and "re-run the restore" — the only next step printed — drops it and fails the same way for ever.
 *
 * <p>A backup that cannot be loaded must be refused before the drop, the org left as it was (exit 1), as the same
 * backup is by the default (fresh database) restore.
 */
@Timeout(180)
class InPlaceRestoreOfAnUnloadableBackupTest {

    /** A backup id of the same format, for the copy the operator made by hand. */
    private static final String HAND_MADE = "20250314T020000Z-hand01";

    @TempDir
    Path dir;

    @Test
    void aBackupWithTheSameIdTwiceIsRefusedBeforeTheOrgsDatabaseIsDropped() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String id = f.backup("acme", "--compression", "none");
            handMadeCopyWithADuplicateLine(f, id);
            f.db("acme").getCollection("notes").insertOne(new org.bson.Document("_id", 1000).append("text", "written after the backup"));
            Map<String, List<RawBsonDocument>> live = BackupFixture.contents(f.db("acme"));

            // the default restore refuses it and leaves acme as it was (the partial fresh database removed)
            Cli.Result fresh = f.cli.run("restore", "--org", "acme", "--backup", HAND_MADE);
            assertThat(fresh.exitCode()).as(fresh.toString()).isEqualTo(1);
            f.assertHolds("acme", live);

            Cli.Result inPlace = f.cli.run("restore", "--org", "acme", "--backup", HAND_MADE, "--in-place", "--drop-existing");

            assertThat(inPlace.exitCode()).as(inPlace.toString()).isEqualTo(1);
            assertThat(inPlace.err()).as("refused before the drop: %s", inPlace).doesNotContain("WAS DROPPED");
            assertThat(f.org("acme").get("status").asText()).as("acme after the in-place restore: %s", inPlace).isEqualTo("active");
            f.assertHolds("acme", live);
        }
    }

    /**
     * Copies backup {@code id} of acme to {@link #HAND_MADE} with the first line of notes.ndjson repeated at its end, its
     * manifest saying so (docs, bytes and sha256 of the file as it now is): every file agrees with its manifest.
     */
    private static void handMadeCopyWithADuplicateLine(BackupFixture f, String id) throws Exception {
        Path from = f.storeDir.resolve("acme").resolve(id);
        Path to = f.storeDir.resolve("acme").resolve(HAND_MADE);
        Files.createDirectories(to);
        for (Map.Entry<String, Path> e : f.files("acme", id).entrySet()) {
            Files.copy(e.getValue(), to.resolve(e.getKey()));
        }
        Path notes = to.resolve("notes.ndjson");
        String text = Files.readString(notes, StandardCharsets.UTF_8);
        String first = text.substring(0, text.indexOf('\n') + 1);
        byte[] bytes = (text + first).getBytes(StandardCharsets.UTF_8);
        Files.write(notes, bytes);

        ObjectMapper mapper = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) mapper.readTree(from.resolve("manifest.json").toFile());
        manifest.put("backupId", HAND_MADE);
        for (var c : (ArrayNode) manifest.get("collections")) {
            if (c.get("name").asText().equals("notes")) {
                ((ObjectNode) c).put("docs", c.get("docs").asLong() + 1);
                ((ObjectNode) c).put("bytes", bytes.length);
                ((ObjectNode) c).put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
            }
        }
        Files.write(to.resolve("manifest.json"), mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
    }
}
