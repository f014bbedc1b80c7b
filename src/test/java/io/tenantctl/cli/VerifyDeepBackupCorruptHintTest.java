package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (x2): {@code verify --deep}'s {@code backup_corrupt} fix reads "tenantctl backup --org ORG   (a fresh backup;
 * then: tenantctl backups show ORG BACKUP_ID)". {@code backups show} takes one positional BACKUP_ID (and --org ORG for
 * a backup the catalog does not know): typed as printed, the second step is a usage error (exit 2), so the operator
 * never gets to see what is wrong with the unreadable backup. Every next step printed must work when followed literally.
 */
@Timeout(120)
class VerifyDeepBackupCorruptHintTest {

    @TempDir
    Path dir;

    @Test
    void theBackupsShowStepOfTheBackupCorruptFixWorksAsPrinted() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String id = f.backup("acme");
            Path file;
            try (Stream<Path> files = Files.list(f.storeDir.resolve("acme").resolve(id))) {
                file = files.filter(p -> p.getFileName().toString().startsWith("notes.")).findFirst().orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 0x55; // the bucket lost a bit
            Files.write(file, bytes);

            Cli.Result deep = f.cli.run("verify", "--deep", "-o", "json");
            assertThat(deep.exitCode()).as(deep.toString()).isEqualTo(4);
            String fix = null;
            for (JsonNode x : strictJson(deep).get("findings")) {
                if (x.get("kind").asText().equals("backup_corrupt") && x.get("org_id").asText().equals("acme")) {
                    fix = x.get("fix").asText();
                }
            }
            assertThat(fix).as(deep.toString()).isNotNull();
            int then = fix.indexOf("then: ");
            assertThat(then).as(fix).isPositive();
            String show = fix.substring(then + "then: ".length(), fix.lastIndexOf(')')).trim();
            assertThat(show).as(fix).startsWith("tenantctl backups show ");

            Cli.Result shown = f.cli.run(List.of(show.substring("tenantctl ".length()).split(" ")).toArray(String[]::new));
            assertThat(shown.exitCode()).as("'%s', as verify printed it: %s", show, shown).isZero();
            assertThat(shown.out()).as(shown.toString()).contains(id);
        }
    }
}
