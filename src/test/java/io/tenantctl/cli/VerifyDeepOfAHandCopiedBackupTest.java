package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a backup's folder copied by hand under a later id (no catalog row) is the newest backup by
 * its id, so restore's default and verify --deep read it and refuse it ("copied or edited by hand"); verify's fix was a
 * fresh backup, which is older by its id and cleared nothing. The fix names the folder to remove, and once it is gone
 * verify is clean and restore takes the real newest backup.
 */
class VerifyDeepOfAHandCopiedBackupTest {

    @TempDir
    Path dir;

    @Test
    void theFixOfAStoreOnlyBackupThatDoesNotReadBackIsToRemoveIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String id = f.backup("acme");
            f.copyBackupByHand("acme", id);

            List<JsonNode> corrupt = findings(strictJson(f.cli.run("verify", "--deep", "--org", "acme", "-o", "json")), "backup_corrupt");
            assertThat(corrupt).hasSize(1);
            assertThat(corrupt.get(0).get("fix").isNull()).as("a folder to remove by hand first: no command").isTrue();
            String fix = corrupt.get(0).get("fix_note").asText();
            assertThat(fix).startsWith("remove file:").contains("20991231T235959Z-zzzzzz").contains("from the store by hand");

            Path named = Paths.get(java.net.URI.create(fix.substring("remove ".length(), fix.indexOf(" from the store"))));
            try (Stream<Path> files = Files.walk(named)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            assertThat(findings(strictJson(f.cli.run("verify", "--deep", "--org", "acme", "-o", "json")), "backup_corrupt")).isEmpty();
            assertThat(strictJson(ok(f.cli, "restore", "--org", "acme", "--dry-run", "-o", "json")).toString()).contains(id);
        }
    }
}
