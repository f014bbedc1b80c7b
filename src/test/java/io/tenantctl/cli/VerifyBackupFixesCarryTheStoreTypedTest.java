package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A helper found that verify's backup_stale and backup_corrupt fixes ("tenantctl backup --org X", "tenantctl backups
 * show ID --org X") left out the --store typed on the verify line: with TENANTCTL_STORE unset, pasted as printed, they
 * failed with "no object store given". They now carry it, as restore's next steps do.
 */
@Timeout(120)
class VerifyBackupFixesCarryTheStoreTypedTest {

    @TempDir
    Path dir;

    @Test
    void theStaleBackupsFixRunsAsPastedWithTheStoreTyped() {
        try (BackupFixture f = new BackupFixture(1, dir, Map.of())) {
            f.provision("acme");
            String store = f.storeDir.toUri().toString();
            Cli.Result v = f.cli.run("verify", "--org", "acme", "--store", store, "-o", "json");
            List<JsonNode> stale = findings(strictJson(v), "backup_stale");
            assertThat(stale).as(v.toString()).hasSize(1);
            String fix = stale.get(0).path("fix").asText();

            Cli.Result pasted = f.cli.run(words(fix));
            assertThat(pasted.exitCode()).as(fix + " -> " + pasted).isZero();
            assertThat(f.cli.run("verify", "--org", "acme", "--store", store).exitCode()).isZero();
        }
    }

    @Test
    void theCorruptBackupsFixAndItsThenRunAsPastedWithTheStoreTyped() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir, Map.of())) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String store = f.storeDir.toUri().toString();
            String id = f.backup("acme", "--store", store);
            Path notes = f.files("acme", id).entrySet().stream().filter(e -> e.getKey().startsWith("notes."))
                    .map(Map.Entry::getValue).findFirst().orElseThrow();
            Files.delete(notes);

            Cli.Result v = f.cli.run("verify", "--org", "acme", "--store", store, "-o", "json");
            List<JsonNode> corrupt = findings(strictJson(v), "backup_corrupt");
            assertThat(corrupt).as(v.toString()).hasSize(1);
            String fix = corrupt.get(0).path("fix").asText();
            String then = corrupt.get(0).path("fix_note").asText();
            assertThat(then).as(v.toString()).contains("tenantctl backups show " + id);

            Cli.Result pasted = f.cli.run(words(fix));
            assertThat(pasted.exitCode()).as(fix + " -> " + pasted).isZero();
            String show = then.substring(then.indexOf("tenantctl backups show")).replaceAll("[)].*$", "");
            Cli.Result shown = f.cli.run(words(show));
            assertThat(shown.err()).as(show + " -> " + shown).doesNotContain("no object store given");
            assertThat(shown.out()).as(show + " -> " + shown).contains(id);
        }
    }

    /** The missing_database fix, a restore from the org's newest backup, reads the same store. */
    @Test
    void theMissingDatabasesRestoreRunsAsPastedWithTheStoreTyped() {
        try (BackupFixture f = new BackupFixture(1, dir, Map.of())) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            String store = f.storeDir.toUri().toString();
            f.backup("acme", "--store", store);
            java.util.Map<String, java.util.List<org.bson.RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            f.database("pool-0", "org_acme").drop();

            Cli.Result v = f.cli.run("verify", "--org", "acme", "--store", store, "-o", "json");
            List<JsonNode> missing = findings(strictJson(v), "missing_database");
            assertThat(missing).as(v.toString()).hasSize(1);
            String fix = missing.get(0).path("fix").asText();

            Cli.Result pasted = f.cli.run(words(fix));
            assertThat(pasted.exitCode()).as(fix + " -> " + pasted).isZero();
            f.assertHolds("acme", before);
        }
    }

    private static String[] words(String line) {
        List<String> w = new ArrayList<>(Arrays.asList(line.trim().substring("tenantctl ".length()).split(" +")));
        return w.toArray(String[]::new);
    }
}
