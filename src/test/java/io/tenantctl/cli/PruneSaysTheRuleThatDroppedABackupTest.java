package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: prune said "outside retention" of an older backup taken the same day as a kept one — well
 * inside the days kept. The reason names the rules that did not keep it: not one of the last N, not the newest of its
 * day (naming the one that is), older than the days (or weeks) kept.
 */
class PruneSaysTheRuleThatDroppedABackupTest {

    @TempDir
    Path dir;

    @Test
    void theReasonNamesTheRulesNotAVagueOutsideRetention() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String old = f.backup("acme");
            String earlier = f.backup("acme");
            String newest = f.backup("acme");
            try (var st = f.sql().createStatement()) { // taken 10 days ago, by the catalog's clock too
                st.executeUpdate("update backups set started_at = started_at - interval '10 days', recorded_at = recorded_at - interval "
                        + "'10 days', finished_at = finished_at - interval '10 days' where backup_id = '" + old + "'");
            }
            JsonNode dry = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "7", "--dry-run",
                    "-o", "json"));
            Map<String, String> reasons = new LinkedHashMap<>();
            dry.get("decisions").forEach(d -> reasons.put(d.get("backup_id").asText(), d.get("reason").asText()));
            String today = LocalDate.now(ZoneOffset.UTC).toString();

            assertThat(reasons.get(earlier)).as(dry.toPrettyString()).doesNotContain("outside retention")
                    .contains("not one of the last 1").contains("not the newest of " + today).contains(newest);
            assertThat(reasons.get(old)).as(dry.toPrettyString()).doesNotContain("outside retention")
                    .contains("not one of the last 1").contains("older than the 7 days keep-daily keeps");
        }
    }
}
