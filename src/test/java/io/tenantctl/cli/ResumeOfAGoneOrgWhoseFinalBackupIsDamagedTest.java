package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code orgs resume} of a deleted org whose database is gone named its delete's final
 * backup as "the final one its delete took" and a bare {@code restore --org ORG --to-org NEW_ID} even after a deep
 * verify had found that backup damaged — the restore then refuses it. The hint says the final backup was found
 * damaged, and names the older backup that can still be read, as an older one from before the delete, with the
 * {@code --backup} that restores it.
 */
class ResumeOfAGoneOrgWhoseFinalBackupIsDamagedTest {

    @TempDir
    Path dir;

    @Test
    void theHintNamesTheOlderBackupAsOlderAndTheFinalOneAsDamaged() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("fb1");
            f.notes("fb1", "notes", 2);
            String older = f.backup("fb1");
            f.notes("fb1", "later", 1);
            String last = strictJson(ok(f.cli, "orgs", "delete", "fb1", "-o", "json")).get("backup_id").asText();
            try (Stream<Path> files = Files.walk(f.storeDir)) {
                Path file = files.filter(p -> p.toString().contains(last) && p.getFileName().toString().startsWith("notes")).findFirst().orElseThrow();
                byte[] bytes = Files.readAllBytes(file);
                bytes[bytes.length / 2] ^= 0x5a;
                Files.write(file, bytes);
            }
            Cli.Result deep = f.cli.run("verify", "--deep", "--org", "fb1");
            assertThat(deep.exitCode()).as(deep.toString()).isEqualTo(4);
            f.db("fb1").drop();

            Cli.Result r = f.cli.run("orgs", "resume", "fb1");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains(older + " (an older one from").contains(last).contains("found damaged")
                    .contains("tenantctl restore --org fb1 --backup " + older + " --to-org NEW_ID")
                    .doesNotContain(older + " (the final one its delete took");
            ok(f.cli, "restore", "--org", "fb1", "--backup", older, "--to-org", "fb1-back");
            assertThat(f.db("fb1-back").getCollection("notes").countDocuments()).isEqualTo(2);
        }
    }
}
