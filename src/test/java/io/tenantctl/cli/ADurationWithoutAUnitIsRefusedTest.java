package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a duration without a unit was read as seconds, documented nowhere, so {@code orgs purge
 * --older-than 30 --dry-run} (meant: 30 days, the default's unit) said would_drop for an org deleted 31 seconds ago. A
 * non-zero duration needs its unit (exit 2, one line naming the flag and the forms meant); a bare 0 still means zero.
 */
class ADurationWithoutAUnitIsRefusedTest {

    @Test
    void aBareNonZeroNumberIsRefusedNamingTheFlagAndTheUnits(@TempDir Path dir) throws Exception {
        Cli cli = new Cli(Map.of("USER", "test"));
        Object[][] lines = {
                {"--older-than", "30", new String[]{"orgs", "purge", "--older-than", "30", "--dry-run"}},
                {"--older-than", "7", new String[]{"rebalance", "gc", "--older-than", "7", "--dry-run"}},
                {"--stuck-after", "30", new String[]{"verify", "--stuck-after", "30"}},
                {"--backups-max-age", "1.5", new String[]{"verify", "--backups-max-age=1.5"}},
        };
        for (Object[] line : lines) {
            Cli.Result r = cli.run((String[]) line[2]);
            String flag = (String) line[0];
            String n = (String) line[1];
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().lines().findFirst().orElse("")).as(r.toString())
                    .isEqualTo("error: " + flag + " " + n + ": give a unit (" + n + "s, " + n + "m, " + n + "h or " + n + "d)");
        }

        Path config = Files.writeString(dir.resolve("tenantctl.properties"), "tenantctl.orgs.purge.older-than=30\n");
        Cli.Result fromFile = cli.run("orgs", "purge", "--dry-run", "--config", config.toString());
        assertThat(fromFile.exitCode()).as(fromFile.toString()).isEqualTo(2);
        assertThat(fromFile.err().strip().lines()).as(fromFile.toString()).hasSize(1);
        assertThat(fromFile.err()).contains("--older-than 30: give a unit (30s, 30m, 30h or 30d)")
                .contains("key tenantctl.orgs.purge.older-than of the config file " + config);
    }

    @Test
    void aBareZeroAndAnyDurationWithAUnitStillParse() {
        DurationConverter c = new DurationConverter();
        assertThat(c.convert("0")).isZero();
        assertThat(c.convert("0s")).isZero();
        assertThat(c.convert("30d")).isEqualTo(java.time.Duration.ofDays(30));
        assertThat(c.convert("500ms")).isEqualTo(java.time.Duration.ofMillis(500));
    }
}
