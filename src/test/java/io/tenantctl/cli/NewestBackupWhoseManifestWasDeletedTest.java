package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only the manifest.json of an org's newest backup deleted by hand, its data files left. The store then looked like a
 * backup that never finished: {@code backups list} said incomplete, {@code verify --deep} read the older one and said
 * clean, {@code restore} quietly brought back the older one (the newest's writes lost from the live org), and prune
 * deleted the newest's data files after the grace period. Recorded complete, it is now missing, as when its whole
 * directory is gone: restore refuses naming it, verify --deep reports it, prune keeps it — while no complete backup is
 * newer (an older one without its manifest is what a prune stopped halfway leaves: incomplete, as before).
 */
class NewestBackupWhoseManifestWasDeletedTest {

    @TempDir
    Path dir;

    @Test
    void isMissingNotIncompleteAndRestoreRefusesInsteadOfTakingTheOlderOne() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String older = f.backup("acme");
            f.notes("acme", "late", 5);
            String newest = f.backup("acme");
            var live = BackupFixture.contents(f.db("acme"));
            Files.delete(f.storeDir.resolve("acme").resolve(newest).resolve("manifest.json"));

            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
            JsonNode entry = null;
            for (JsonNode b : listed.get("backups")) {
                if (b.get("backup_id").asText().equals(newest)) {
                    entry = b;
                }
            }
            assertThat(entry).as(listed.toString()).isNotNull();
            assertThat(entry.get("status").asText()).isEqualTo("missing");
            assertThat(entry.get("error").asText()).contains("manifest.json is gone");

            Cli.Result restore = f.cli.run("restore", "--org", "acme");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.err()).contains("newest backup " + newest).contains("manifest.json is gone").contains("nothing restored");
            assertThat(BackupFixture.contents(f.db("acme"))).as("the live org untouched").isEqualTo(live);

            Cli.Result verify = f.cli.run("verify", "--deep", "--org", "acme", "-o", "json");
            assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(4);
            assertThat(strictJson(verify).toString()).contains(newest);

            JsonNode prune = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0",
                    "--grace-hours", "0", "--dry-run", "-o", "json"));
            JsonNode decision = null;
            for (JsonNode d : prune.get("decisions")) {
                if (d.get("backup_id").asText().equals(newest)) {
                    decision = d;
                }
            }
            assertThat(decision).as(prune.toString()).isNotNull();
            assertThat(decision.get("action").asText()).as("kept for a person to look at: %s", decision).isEqualTo("keep");

            // chosen by its id, the older backup is still there to restore
            ok(f.cli, "restore", "--org", "acme", "--backup", older, "--dry-run");

            // once a newer backup is complete, one without its manifest is what a prune stopped halfway leaves (it deletes
            // the manifest first): incomplete, for prune to finish after the grace period; restore takes the newer one
            f.backup("acme");
            JsonNode after = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
            for (JsonNode b : after.get("backups")) {
                if (b.get("backup_id").asText().equals(newest)) {
                    assertThat(b.get("status").asText()).as(b.toString()).isEqualTo("incomplete");
                }
            }
            ok(f.cli, "restore", "--org", "acme", "--dry-run");
        }
    }
}
