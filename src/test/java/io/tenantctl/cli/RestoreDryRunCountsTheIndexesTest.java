package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code restore --dry-run} (and with {@code --to-org}) showed the indexes as "-" (0 in JSON)
 * though the backup's manifest records each collection's indexes: the plan says how many it would create, the count the
 * restore itself then reports.
 */
class RestoreDryRunCountsTheIndexesTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunSaysHowManyIndexesTheRestoreCreates() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            f.backup("acme");

            JsonNode plan = strictJson(ok(f.cli, "restore", "--org", "acme", "--dry-run", "-o", "json"));
            JsonNode copyPlan = strictJson(ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-copy", "--dry-run", "-o", "json"));
            String text = ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-copy", "--dry-run").out();

            JsonNode done = strictJson(ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-copy", "-o", "json"));
            int created = done.get("indexes").asInt();
            assertThat(created).as(done.toString()).isPositive();
            assertThat(plan.get("indexes").asInt()).as(plan.toString()).isEqualTo(created);
            assertThat(copyPlan.get("indexes").asInt()).as(copyPlan.toString()).isEqualTo(created);
            assertThat(text.lines().filter(l -> l.startsWith("indexes")).findFirst().orElseThrow())
                    .as(text).endsWith(" " + created).doesNotContain("-");
        }
    }
}
