package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
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

            // backups list, where on call looks first, listed it complete, "not recorded in the catalog", and no more
            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups").get(0);
            assertThat(listed.get("backup_id").asText()).isEqualTo("20991231T235959Z-zzzzzz");
            assertThat(listed.get("error").asText()).as(listed.toString()).contains("does not read back").contains("copied or edited by hand")
                    .contains("restore refuses it").contains("'tenantctl backups show 20991231T235959Z-zzzzzz --org acme' checks it");
        }
    }
}
