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

    /**
     * Found at 3 a.m.: 'restore --org acme --backup ID --to-org newco --target-pool pool-1', ID globex's, named "'tenantctl
     * restore --org globex --backup ID' restores it": pasted, that restored globex itself, pointing the live org at the
     * backup's older data, not the copy as new org newco on pool-1 that was asked for. The restore it names carries the
     * --to-org and --target-pool typed.
     */
    @Test
    void theRestoreItNamesForACopyAsANewOrgMakesThatOrg() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex");
            f.seedNotes("globex", 7);
            String globexBackup = f.backup("globex");
            f.notes("globex", "later", 2); // written since: a restore of globex itself would hide them from it
            Map<String, List<RawBsonDocument>> globex = BackupFixture.contents(f.db("globex"));

            Cli.Result r = f.cli.run("restore", "--org", "acme", "--backup", globexBackup, "--to-org", "newco", "--target-pool", "pool-1");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains("'tenantctl restore --org globex --backup " + globexBackup
                    + " --to-org newco --target-pool pool-1' restores it as new org newco");
            CliFixture.followNextStep(f.cli, r.err());
            assertThat(f.org("newco").get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(f.org("globex").get("database_name").asText()).as("globex itself untouched").isEqualTo("org_globex");
            f.assertHolds("globex", globex);
        }
    }

    /**
     * Found in review: the refused restore (exit 2, "nothing restored") first rolled back another org's dead operation —
     * globex, which a killed move left read_only, set back to active by a command about acme — and its dry run printed
     * globex's rollback on stderr above acme's refusal. Whose backup an id is is decided without that clean-up: the
     * refusal comes first; globex is left to its own next command (or verify --fix), and the refusal is the only line.
     */
    @Test
    void aRefusedRestorePutsRightNoOtherOrgsDeadOperation() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex", "initech");
            String initechBackup = f.backup("initech");
            f.frozenByADeadMove("globex");

            for (String[] line : List.of(new String[]{"restore", "--org", "acme", "--backup", initechBackup, "--dry-run"},
                    new String[]{"restore", "--org", "acme", "--backup", initechBackup, "--in-place", "--drop-existing"},
                    new String[]{"restore", "--org", "acme", "--backup", "acme/" + initechBackup})) {
                Cli.Result r = f.cli.run(line);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.err()).as(r.toString()).doesNotContain("globex");
                assertThat(r.err().strip().lines().count()).as(r.toString()).isEqualTo(1);
                assertThat(f.org("globex").get("status").asText()).as("another org's clean-up: %s", r).isEqualTo("read_only");
            }
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo("org_acme");
        }
    }

    /**
     * Found by a 3 a.m. audit: restore and its dry run print the backup as ORG/ID ("backup: acme/2025…"); that pasted into
     * --backup (or an id with the blank a copy took along) said only "invalid backup id …: expected YYYYMMDDTHHMMSSZ-xxxxxx",
     * which it looks like. The refusal names the id to give.
     */
    @Test
    void anIdPastedAsRestorePrintsItNamesTheIdAlone() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String backup = f.backup("acme");
            for (String[] line : List.of(new String[]{"restore", "--org", "acme", "--backup", "acme/" + backup, "--dry-run"},
                    new String[]{"restore", "--org", "acme", "--backup", backup + " ", "--in-place", "--drop-existing"},
                    new String[]{"backups", "show", "acme/" + backup})) {
                Cli.Result r = f.cli.run(line);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.err()).as(r.toString()).contains("the id alone: " + backup);
                assertThat(r.err().strip().lines().count()).as(r.toString()).isEqualTo(1);
            }
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo("org_acme");
        }
    }
}
