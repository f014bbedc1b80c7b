package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code backups show} of a backup one of whose files was removed from the store said, in its
 * manifest line, that the backup is not restorable, but its per-collection listing marked no file, and it exited 0 —
 * though {@code backups list} sends people to it as the command that "checks each file". Each collection's file is
 * marked (missing, or the size the store holds), in text and JSON, and a backup show finds damaged exits 4, as verify does.
 */
class BackupsShowMarksAMissingFileTest {

    @TempDir
    Path dir;

    @Test
    void theMissingFileIsMarkedInItsCollectionsRowAndTheShowExits4() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 30);
            String id = f.backup("acme");
            Map<String, Path> files = f.files("acme", id);
            String notesFile = files.keySet().stream().filter(n -> n.startsWith("notes.")).findFirst().orElseThrow();
            Files.delete(files.get(notesFile));

            Cli.Result json = f.cli.run("backups", "show", id, "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(4);
            JsonNode doc = strictJson(json);
            assertThat(doc.get("manifest_error").asText()).contains(notesFile);
            int marked = 0;
            for (JsonNode c : doc.get("manifest").get("collections")) {
                if (c.get("name").asText().equals("notes")) {
                    assertThat(c.get("problem").asText()).as(c.toString()).contains("missing");
                    marked++;
                } else {
                    assertThat(c.get("problem").isNull()).as("an intact file is not marked: %s", c).isTrue();
                }
            }
            assertThat(marked).isEqualTo(1);

            Cli.Result text = f.cli.run("backups", "show", id);
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(4);
            String notesRow = text.out().lines().filter(l -> l.startsWith("notes ")).findFirst().orElseThrow();
            assertThat(notesRow).as(text.toString()).contains("missing");
            assertThat(text.out().lines().filter(l -> l.startsWith("users ")).findFirst().orElseThrow()).doesNotContain("missing");
            // the list's pointer to this very command is not repeated here (a probing helper saw it point at itself)
            assertThat(text.out()).as(text.toString()).doesNotContain("backups show " + id + "' checks each file")
                    .contains("bytes in the store");
            assertThat(ok(f.cli, "backups", "list", "--org", "acme").out()).contains("'tenantctl backups show " + id + "' checks each file");

            String intact = f.backup("acme");
            assertThat(ok(f.cli, "backups", "show", intact).out()).doesNotContain("missing");
        }
    }

    @Test
    void aFileCutShortIsMarkedWithTheBytesItHoldsAndTheBytesRecorded() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 30);
            String id = f.backup("acme");
            Path notes = f.files("acme", id).entrySet().stream().filter(e -> e.getKey().startsWith("notes.")).findFirst().orElseThrow().getValue();
            long recorded = Files.size(notes);
            Files.write(notes, java.util.Arrays.copyOf(Files.readAllBytes(notes), 10)); // an upload cut short

            Cli.Result json = f.cli.run("backups", "show", id, "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(4);
            JsonNode notesEntry = null;
            for (JsonNode c : strictJson(json).get("manifest").get("collections")) {
                notesEntry = c.get("name").asText().equals("notes") ? c : notesEntry;
            }
            assertThat(notesEntry.get("problem").asText()).isEqualTo("holds 10 bytes, not the " + recorded + " its manifest records");
        }
    }
}
