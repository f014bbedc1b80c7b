package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: {@code backups list} said "complete", nothing more, for a backup whose data file was cut short or
 * deleted in the store (it reads the catalog and one listing; show, restore and verify --deep read the files). The
 * listing's sizes already tell: the data files' bytes against the bytes recorded at completion. The status stays
 * complete (restore still takes it, and then refuses it as damaged, rather than quietly an older one); the note says
 * what the store holds and which command checks each file.
 */
class BackupsListNotesADamagedBackupTest {

    @TempDir
    Path dir;

    @Test
    void aDataFileCutShortOrDeletedIsNotedWithTheCommandThatChecksIt() throws IOException {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex", "initech");
            for (String o : new String[] {"acme", "globex", "initech"}) {
                f.notes(o, "notes", 50);
            }
            String cut = f.backup("acme");
            String gone = f.backup("globex");
            String intact = f.backup("initech");
            Path cutFile = dataFile(f.storeDir.resolve("acme").resolve(cut));
            try (FileChannel ch = FileChannel.open(cutFile, StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(cutFile) / 2);
            }
            Files.delete(dataFile(f.storeDir.resolve("globex").resolve(gone)));
            // found by a probing helper: files someone left beside an intact backup's made it "damaged?"
            Path intactDir = f.storeDir.resolve("initech").resolve(intact);
            Files.writeString(intactDir.resolve("notes.txt"), "junk");
            Files.createDirectories(intactDir.resolve("sub"));
            Files.writeString(intactDir.resolve("sub").resolve("y"), "x");

            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "-o", "json"));
            for (JsonNode b : listed.get("backups")) {
                String id = b.get("backup_id").asText();
                assertThat(b.get("status").asText()).as(b.toString()).isEqualTo("complete");
                if (id.equals(intact)) {
                    assertThat(b.get("error").isNull()).as("an intact backup has no note: %s", b).isTrue();
                } else {
                    assertThat(b.get("error").asText()).as(b.toString()).contains("recorded: damaged?")
                            .contains("tenantctl backups show " + id);
                }
            }
            Cli.Result table = ok(f.cli, "backups", "list", "--org", "acme");
            assertThat(table.out()).contains("damaged?");
            // what the note points to says which file
            Cli.Result show = f.cli.run("backups", "show", cut);
            assertThat(show.out() + show.err()).as(show.toString()).contains(cutFile.getFileName().toString());
        }
    }

    /** The backup's largest data file (every org here has a notes collection with documents). */
    private static Path dataFile(Path backupDir) throws IOException {
        try (Stream<Path> files = Files.list(backupDir)) {
            return files.filter(p -> !p.getFileName().toString().equals("manifest.json"))
                    .max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
    }
}
