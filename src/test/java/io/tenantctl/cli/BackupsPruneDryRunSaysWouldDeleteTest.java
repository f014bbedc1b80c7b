package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code backups prune --dry-run -o json} gave the backups it would delete the real run's
 * action ("delete") and count ("deleted": 2), so a pipeline reading the dry run's JSON took them for deleted. As purge's
 * and gc's dry runs do ("would_drop"), the dry run says {@code would_delete}, and {@code deleted} is 0.
 */
class BackupsPruneDryRunSaysWouldDeleteTest {

    @TempDir
    Path dir;

    @Test
    void aDryRunsJsonSaysWouldDeleteAndDeletedNothing() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String b1 = f.backup("acme");
            String b2 = f.backup("acme");
            String b3 = f.backup("acme");

            JsonNode dry = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0", "--dry-run",
                    "-o", "json"));
            assertThat(dry.get("dry_run").asBoolean()).isTrue();
            assertThat(dry.get("deleted").asInt()).as("a dry run deletes nothing: %s", dry).isZero();
            assertThat(dry.get("would_delete").asInt()).as(dry.toString()).isEqualTo(2);
            assertThat(dry.get("kept").asInt()).as(dry.toString()).isEqualTo(1);
            assertThat(actions(dry)).containsEntry(b1, "would_delete").containsEntry(b2, "would_delete").containsEntry(b3, "keep");
            assertThat(ok(f.cli, "backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0", "--dry-run").out())
                    .contains("would delete").contains("dry run: would delete 2 backups");

            JsonNode real = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0",
                    "-o", "json"));
            assertThat(real.get("dry_run").asBoolean()).isFalse();
            assertThat(real.get("deleted").asInt()).as(real.toString()).isEqualTo(2);
            assertThat(real.has("would_delete")).as(real.toString()).isFalse();
            assertThat(actions(real)).containsEntry(b1, "delete").containsEntry(b2, "delete").containsEntry(b3, "keep");
        }
    }

    private static Map<String, String> actions(JsonNode prune) {
        Map<String, String> out = new LinkedHashMap<>();
        prune.get("decisions").forEach(d -> out.put(d.get("backup_id").asText(), d.get("action").asText()));
        return out;
    }
}
