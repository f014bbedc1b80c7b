package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left by an earlier session: 'verify --backups-max-age 30s' (or 0.5m, 1500ms) said the newest backup was "older than
 * 0 min", and 1.5h "older than 1 h": the age was rounded down to whole minutes or hours. It is said as given, in the
 * largest unit that holds it whole.
 */
class VerifyBackupsMaxAgeUnderAMinuteTest {

    @TempDir
    Path dir;

    @Test
    void theAgeIsSaidAsGiven() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            CliFixture.sql(f.catalogUrl, "update backups set started_at = now() - interval '3 days', recorded_at = now() - interval '3 days'");
            String[][] cases = {{"30s", "30 s"}, {"0.5m", "30 s"}, {"1500ms", "1500 ms"}, {"1.5h", "90 min"}, {"36h", "36 h"}, {"2d", "2 d"}};
            for (String[] c : cases) {
                Cli.Result r = f.cli.run("verify", "--org", "acme", "--backups-max-age", c[0], "-o", "json");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
                JsonNode stale = CliFixture.findings(strictJson(r), "backup_stale").get(0);
                assertThat(stale.get("detail").asText()).as(c[0] + ": " + stale).endsWith("older than " + c[1]);
            }
        }
    }
}
