package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a backup folder copied by hand within the store under a later id (no catalog row) is what a
 * plain restore takes, and refuses ("copied or edited by hand"); verify's fix for it names the folder to remove, but
 * restore's refusal only offered the next older backup, so the next plain restore refused again. The refusal gives the
 * same step as verify, in the same words.
 */
class RestoreOfAHandCopiedBackupSaysToRemoveItTest {

    @TempDir
    Path dir;

    @Test
    void restoresRefusalOfAHandCopiedFolderSaysToRemoveItAsVerifyDoes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String id = f.backup("acme");
            f.copyBackupByHand("acme", id);

            Cli.Result restore = f.cli.run("restore", "--org", "acme");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            String fix = findings(strictJson(f.cli.run("verify", "--deep", "--org", "acme", "-o", "json")), "backup_corrupt")
                    .get(0).get("fix_note").asText(); // a folder to remove by hand: no command, the whole way on is the note
            String remove = fix.substring(0, fix.indexOf("   (then:"));
            assertThat(remove).startsWith("remove file:").contains("20991231T235959Z-zzzzzz");
            assertThat(restore.err()).as(restore.toString()).contains(remove);

            // named with --backup, it is refused for the same reason, and it still stays the newest: the same step
            Cli.Result chosen = f.cli.run("restore", "--org", "acme", "--backup", "20991231T235959Z-zzzzzz");
            assertThat(chosen.exitCode()).as(chosen.toString()).isEqualTo(1);
            assertThat(chosen.err()).as(chosen.toString()).contains(remove);
        }
    }
}
