package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: a backup id pasted from another org's 'backups list' ('restore --org acme --backup ID' with ID globex's)
 * said "org acme has no backup ID ... see backups list --org acme" (exit 2), as if the id were mistyped. The catalog records
 * whose backup it is: the refusal says so and names the restore that takes it; nothing is changed.
 */
class ARestoreNamingAnotherOrgsBackupSaysWhoseItIsTest {

    @TempDir
    Path dir;

    @Test
    void saysTheBackupIsTheOtherOrgsAndChangesNothing() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.seedNotes("acme", 5);
            f.seedNotes("globex", 7);
            Map<String, List<RawBsonDocument>> acme = BackupFixture.contents(f.db("acme"));
            String globexBackup = f.backup("globex");

            for (String[] line : List.of(new String[]{"restore", "--org", "acme", "--backup", globexBackup, "-o", "json"},
                    new String[]{"restore", "--org", "acme", "--backup", globexBackup, "--dry-run", "-o", "json"})) {
                Cli.Result r = f.cli.run(line);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString())
                        .contains("backup " + globexBackup + " is org globex's, not acme's")
                        .contains("'tenantctl restore --org globex --backup " + globexBackup + "'");
            }
            f.assertHolds("acme", acme);
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo("org_acme");
        }
    }
}
