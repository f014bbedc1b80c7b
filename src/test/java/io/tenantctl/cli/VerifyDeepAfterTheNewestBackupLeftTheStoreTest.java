package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code verify --deep} remembers a backup it has read back whole ({@code backups.verified_at}) and
 * never looks at it again — not even at what the store listing it already made says about it. So once a nightly
 * {@code verify --deep} has passed an org's newest backup, that backup can leave the store (a bucket lifecycle rule, a
 * hand-run delete, a store restored from an older replica) or lose one of its files, and every later
 * {@code verify --deep} still says the fleet is clean (exit 0), while {@code restore --org ORG} — the restore the operator
 * counts on — refuses that very backup. The check that it is still there and whole is one listing (restore and prune make
 * it); only the re-read of its bytes is what the memo is meant to save.
 */
@Timeout(120)
class VerifyDeepAfterTheNewestBackupLeftTheStoreTest {

    @TempDir
    Path dir;

    @Test
    void aNewestBackupGoneFromTheStoreAfterAnEarlierDeepVerifyIsStillAProblem() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            f.backup("acme");
            String newest = f.backup("acme");

            Cli.Result first = f.cli.run("verify", "--deep", "--org", "acme");
            assertThat(first.exitCode()).as("the backup reads back whole today: %s%s", first.out(), first.err()).isZero();

            f.removeFromStore("acme", newest); // gone from the store; the catalog still says complete
            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--dry-run");
            assertThat(restore.exitCode()).as("restore refuses the org's newest backup now: %s", restore.err()).isEqualTo(1);
            assertThat(restore.err()).contains(newest);

            Cli.Result r = f.cli.run("verify", "--deep", "--org", "acme", "-o", "json");
            JsonNode doc = strictJson(r);
            assertThat(problems(doc)).as("the newest backup (%s) restore needs is gone: %s", newest, doc.toPrettyString())
                    .anySatisfy(p -> assertThat(p).contains(newest));
            assertThat(r.exitCode()).as("a problem found is exit 4").isEqualTo(4);
        }
    }

    @Test
    void aNewestBackupThatLostACollectionFileAfterAnEarlierDeepVerifyIsStillAProblem() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String newest = f.backup("acme");

            Cli.Result first = f.cli.run("verify", "--deep", "--org", "acme");
            assertThat(first.exitCode()).as("the backup reads back whole today: %s%s", first.out(), first.err()).isZero();

            Path notes = f.files("acme", newest).entrySet().stream().filter(e -> e.getKey().startsWith("notes."))
                    .map(java.util.Map.Entry::getValue).findFirst().orElseThrow();
            Files.delete(notes); // the manifest is still there: listed complete, but not restorable
            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--dry-run");
            assertThat(restore.exitCode()).as("restore refuses the org's newest backup now: %s", restore.err()).isEqualTo(1);

            Cli.Result r = f.cli.run("verify", "--deep", "--org", "acme", "-o", "json");
            JsonNode doc = strictJson(r);
            assertThat(problems(doc)).as("the newest backup (%s) has lost its notes file: %s", newest, doc.toPrettyString())
                    .anySatisfy(p -> assertThat(p).contains(newest));
            assertThat(r.exitCode()).as("a problem found is exit 4").isEqualTo(4);
        }
    }

    private static List<String> problems(JsonNode doc) {
        List<String> problems = new ArrayList<>();
        doc.get("findings").forEach(x -> {
            if (x.get("severity").asText().equals("problem")) {
                problems.add(x.get("kind").asText() + " " + x.get("detail").asText());
            }
        });
        return problems;
    }
}
