package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deleting org's final backup is what holds the org once it is purged. {@code verify --deep} reads it back like any
 * org's newest backup, and when it does not read back its fix — a fresh backup of the database the delete kept — works.
 */
class VerifyDeepOfADeletingOrgTest {

    @TempDir
    Path dir;

    @Test
    void anUnreadableFinalBackupIsFoundAndTakenAgainBeforeThePurge() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).get("backup_id").asText();
            f.flipABit("acme", finalBackup, "notes"); // the bucket lost a bit

            Cli.Result deep = f.cli.run("verify", "--deep", "-o", "json");
            assertThat(deep.exitCode()).as(deep.toString()).isEqualTo(4);
            JsonNode corrupt = null;
            for (JsonNode x : strictJson(deep).get("findings")) {
                if (x.get("kind").asText().equals("backup_corrupt") && x.get("org_id").asText().equals("acme")) {
                    corrupt = x;
                }
            }
            assertThat(corrupt).as(deep.toString()).isNotNull();
            String command = corrupt.get("fix").asText();
            assertThat(command).isEqualTo("tenantctl backup --org acme");
            assertThat(corrupt.get("fix_note").asText()).startsWith("a fresh backup; then: tenantctl backups show ");
            ok(f.cli, List.of(command.substring("tenantctl ".length()).split(" ")).toArray(String[]::new));

            Cli.Result again = f.cli.run("verify", "--deep", "-o", "json");
            assertThat(again.exitCode()).as("after the fix verify says: %s", again).isZero();
            assertThat(f.org("acme").get("status").asText()).as("still deleting, waiting for its purge").isEqualTo("deleting");
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-back");
            assertThat(f.db("acme-back").getCollection("notes").countDocuments()).isEqualTo(20);
        }
    }
}
