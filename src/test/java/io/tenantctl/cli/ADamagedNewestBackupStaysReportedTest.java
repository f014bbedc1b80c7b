package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.ResultSet;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found that a newest backup cut short was reported once: the first plain verify recorded the damage
 * on the backup, and every verify after it left the finding out (exit 0, the org clean) though the catalog kept it open
 * and {@code backup --due} knew the org had no usable backup. As long as the newest backup is one found damaged, every
 * verify reports it; a good backup taken after it resolves the finding.
 */
@Timeout(120)
class ADamagedNewestBackupStaysReportedTest {

    @TempDir
    Path dir;

    @Test
    void aNewestBackupFoundDamagedIsReportedByEveryVerifyUntilAGoodOneReplacesIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String newest = f.backup("acme");
            Path notes = f.files("acme", newest).entrySet().stream().filter(e -> e.getKey().startsWith("notes."))
                    .map(java.util.Map.Entry::getValue).findFirst().orElseThrow();
            try (RandomAccessFile cut = new RandomAccessFile(notes.toFile(), "rw")) {
                cut.setLength(100);
            }

            JsonNode first = corrupt(f.cli.run("verify", "-o", "json"), newest);
            assertThat(first.get("state").asText()).isEqualTo("new");
            for (String[] again : new String[][]{{"verify", "-o", "json"}, {"verify", "--changed-only", "-o", "json"},
                    {"verify", "--deep", "-o", "json"}, {"verify", "-o", "json"}}) {
                JsonNode later = corrupt(f.cli.run(again), newest);
                assertThat(later.get("finding_id").asText()).isEqualTo(first.get("finding_id").asText());
                assertThat(later.get("state").asText()).as(String.join(" ", again)).isEqualTo("known");
                assertThat(later.get("fix").asText()).startsWith("tenantctl backup --org acme");
            }

            ok(f.cli, "backup", "--org", "acme");
            Cli.Result after = f.cli.run("verify", "-o", "json");
            assertThat(after.exitCode()).as(after.toString()).isZero();
            assertThat(outcome(strictJson(after), "acme")).isEqualTo("clean");
            try (ResultSet rs = f.sql().createStatement().executeQuery("select resolved_at from findings where finding_id = '"
                    + first.get("finding_id").asText() + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getTimestamp(1)).as("resolved once a good backup replaced the damaged one").isNotNull();
            }
        }
    }

    /** The run's backup_corrupt finding of backup {@code id}; the run exits 4 and acme is not clean. */
    private static JsonNode corrupt(Cli.Result r, String id) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        JsonNode doc = strictJson(r);
        assertThat(outcome(doc, "acme")).as(r.toString()).isNotEqualTo("clean");
        for (JsonNode x : doc.get("findings")) {
            if (x.get("kind").asText().equals("backup_corrupt") && x.get("detail").asText().contains(id)) {
                return x;
            }
        }
        throw new AssertionError("no backup_corrupt of " + id + ": " + r);
    }

    private static String outcome(JsonNode doc, String org) {
        for (JsonNode o : doc.get("orgs")) {
            if (o.get("org_id").asText().equals(org)) {
                return o.get("outcome").asText();
            }
        }
        return null;
    }
}
