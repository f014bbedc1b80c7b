package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: a plain {@code verify} (no --deep) called an org clean while one file its newest
 * backup's manifest lists was gone from the store, though the README says the backup's presence is checked every run.
 * A plain verify now lists the backup's folder (one listing per org, no file read) and reports it as --deep does.
 */
@Timeout(120)
class VerifyOfANewestBackupMissingAFileTest {

    @TempDir
    Path dir;

    @Test
    void aPlainVerifyFindsAFileGoneFromTheNewestBackupAsDeepDoes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String newest = f.backup("acme");
            Path notes = f.files("acme", newest).entrySet().stream().filter(e -> e.getKey().startsWith("notes."))
                    .map(java.util.Map.Entry::getValue).findFirst().orElseThrow();
            Files.delete(notes);

            Cli.Result plain = f.cli.run("verify", "--org", "acme", "-o", "json");
            assertThat(plain.exitCode()).as(plain.toString()).isEqualTo(4);
            JsonNode finding = corrupt(strictJson(plain));
            assertThat(finding).as(plain.toString()).isNotNull();
            assertThat(finding.get("detail").asText()).contains(newest).contains(notes.getFileName().toString()).contains("missing");
            assertThat(finding.get("fix").asText()).startsWith("tenantctl backup --org acme");

            Cli.Result deep = f.cli.run("verify", "--deep", "--org", "acme", "-o", "json");
            JsonNode deepFinding = corrupt(strictJson(deep));
            assertThat(deepFinding).as(deep.toString()).isNotNull();
            assertThat(deepFinding.get("finding_id").asText()).as("one finding, found either way").isEqualTo(finding.get("finding_id").asText());
            assertThat(deepFinding.get("fix").asText()).isEqualTo(finding.get("fix").asText());
        }
    }

    @Test
    void aPlainVerifyOfAWholeNewestBackupIsClean() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            f.backup("acme");
            Cli.Result plain = f.cli.run("verify", "--org", "acme", "-o", "json");
            assertThat(plain.exitCode()).as(plain.toString()).isEqualTo(0);
        }
    }

    private static JsonNode corrupt(JsonNode doc) {
        for (JsonNode x : doc.get("findings")) {
            if (x.get("kind").asText().equals("backup_corrupt")) {
                return x;
            }
        }
        return null;
    }
}
