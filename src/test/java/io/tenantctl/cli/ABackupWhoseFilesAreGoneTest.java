package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a newest backup whose files were deleted from the store was reported by {@code verify
 * --deep} and {@code restore}, but not recorded as damaged as a corrupt one is — so {@code backup --due} never took the
 * org again (it had no restorable backup and was "not due" for a week), and {@code orgs purge} dropped a deleted org's
 * database, the only copy of its data left. And restore's "restore an older one" advice dropped {@code --to-org}: pasted,
 * it rolled the live org back instead of making the copy asked for.
 */
class ABackupWhoseFilesAreGoneTest {

    @TempDir
    Path dir;

    @Test
    void anOrgWhoseNewestBackupIsGoneIsDueAgain() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String only = f.backup("acme");
            assertThat(due(f)).isEmpty();
            f.removeFromStore("acme", only);

            assertThat(f.cli.run("verify", "--deep", "--org", "acme").exitCode()).isEqualTo(4);
            assertThat(due(f)).as("no restorable backup: the nightly --due must take it").containsExactly("acme");
            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
            assertThat(listed.toString()).contains("damaged: recorded complete, but its files are gone from the store");

            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--to-org", "acme-copy");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.err()).contains("files are gone").contains("org acme has no older complete backup")
                    .doesNotContain("restore an older one");

            ok(f.cli, "backup", "--due");
            assertThat(due(f)).isEmpty();
        }
    }

    @Test
    void purgeKeepsADeletedOrgsDatabaseWhenItsFinalBackupIsGone() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).get("backup_id").asText();
            f.removeFromStore("acme", finalBackup);
            assertThat(f.cli.run("restore", "--org", "acme", "--to-org", "acme-back").exitCode()).isEqualTo(1); // found gone

            Cli.Result purge = f.cli.run("orgs", "purge", "--older-than", "0", "-o", "json");
            JsonNode item = strictJson(purge).get("orgs").get(0);
            assertThat(item.get("action").asText()).as(purge.toString()).isEqualTo("kept");
            assertThat(item.get("detail").asText()).contains("its newest backup " + finalBackup + " was found damaged");
            assertThat(f.databaseNames("pool-0")).as("the only copy of acme").contains("org_acme");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(20);
        }
    }

    @Test
    void theAdviceToRestoreAnOlderBackupKeepsTheRestoreAsItWasGiven() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String older = f.backup("acme");
            f.notes("acme", "more", 5);
            String newest = f.backup("acme");
            Files.delete(f.files("acme", newest).entrySet().stream().filter(e -> e.getKey().startsWith("notes."))
                    .map(java.util.Map.Entry::getValue).findFirst().orElseThrow());

            Cli.Result refused = f.cli.run("restore", "--org", "acme", "--to-org", "acme-copy");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            String advice = "tenantctl restore --org acme --backup " + older + " --to-org acme-copy";
            assertThat(refused.err()).contains(newest).contains(advice);
            Cli.Result dry = f.cli.run("restore", "--org", "acme", "--to-org", "acme-copy", "--dry-run");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            assertThat(dry.err()).contains(advice);

            String pasted = refused.err().substring(refused.err().indexOf(advice) + "tenantctl ".length(),
                    refused.err().indexOf(advice) + advice.length());
            ok(f.cli, pasted.split(" "));
            assertThat(f.db("acme-copy").getCollection("notes").countDocuments()).isEqualTo(20);
            assertThat(f.db("acme").getCollection("more").countDocuments()).as("the live org is not rolled back").isEqualTo(5);
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo("org_acme");
        }
    }

    private static List<String> due(BackupFixture f) {
        return strictJson(ok(f.cli, "backup", "--due", "--dry-run", "-o", "json")).get("orgs").findValuesAsText("org_id");
    }
}
