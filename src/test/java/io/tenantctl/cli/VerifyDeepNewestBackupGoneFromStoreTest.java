package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog records an org's newest backup as complete, but its files are gone from the store (a bucket lifecycle
 * rule, a hand-run delete, a store restored from an older replica). Before be5672b, {@code verify --deep} read the
 * catalog's newest, found it unreadable and reported {@code backup_corrupt} (exit 4). It now asks
 * {@code Backups.newestComplete}, which skips the "missing" entry and reads the older backup instead: verify --deep
 * says clean (exit 0), backup freshness (catalog-based) says fresh, and the operator only learns that the newest
 * backup is gone when a restore quietly brings back the older one.
 */
@Timeout(120)
class VerifyDeepNewestBackupGoneFromStoreTest {

    @TempDir
    Path dir;

    @Test
    void aNewestBackupTheCatalogCallsCompleteButTheStoreLostIsAProblem() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            f.backup("acme");
            String newest = f.backup("acme");
            f.removeFromStore("acme", newest); // gone from the store; the catalog still says complete

            Cli.Result r = f.cli.run("verify", "--deep", "-o", "json");
            JsonNode doc = strictJson(r);

            List<String> problems = new ArrayList<>();
            doc.get("findings").forEach(x -> {
                if (x.get("severity").asText().equals("problem")) {
                    problems.add(x.get("kind").asText() + " " + x.get("detail").asText());
                }
            });
            assertThat(problems).as("the org's newest backup (%s) cannot be read back: %s", newest, doc.toPrettyString())
                    .anySatisfy(p -> assertThat(p).contains(newest));
            assertThat(r.exitCode()).as("a problem found is exit 4").isEqualTo(4);
        }
    }
}
