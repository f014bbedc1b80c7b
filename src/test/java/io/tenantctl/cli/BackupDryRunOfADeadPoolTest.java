package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup dry run says what the run would do: the orgs of a pool that does not answer are failed, naming it, as the
 * run fails them (it used to plan them), and the orgs of the live pool are planned and then backed up.
 */
class BackupDryRunOfADeadPoolTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunFailsTheOrgsTheRunFails() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provisionTier("free", "pool-0", "a1", "a2");
            f.provisionTier("free", "pool-1", "b1", "b2");
            f.pools.kill(1);
            Cli cli = f.cli.quickToGiveUpOnDeadPools();

            Cli.Result dry = cli.run("backup", "--all", "--dry-run", "-o", "json", "--no-progress");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            Map<String, String> planned = outcomes(strictJson(dry));
            assertThat(planned).containsExactlyEntriesOf(new TreeMap<>(Map.of("a1", "planned", "a2", "planned", "b1", "failed", "b2", "failed")));
            strictJson(dry).get("failed").forEach(o -> assertThat(o.get("error").asText()).contains("pool-1").contains("unreachable"));
            assertThat(f.storeDir).as("a dry run writes nothing").satisfiesAnyOf(d -> assertThat(d).doesNotExist(), d -> assertThat(d).isEmptyDirectory());
            // a planned org was not worked on: its table row has no time ("-"), as provision's dry run says of its own
            Cli.Result table = cli.run("backup", "--org", "a1", "--dry-run", "--no-progress");
            assertThat(table.exitCode()).as(table.toString()).isZero();
            java.util.List<String> rows = table.out().lines().filter(l -> l.startsWith("a1 ")).toList();
            assertThat(rows).as(table.out()).hasSize(1);
            assertThat(rows.get(0)).as(table.out()).matches("a1\\s+pool-0\\s+-\\s+planned\\s+0\\s+0\\s+-\\s+-");

            Cli.Result real = cli.run("backup", "--all", "-o", "json", "--no-progress");
            assertThat(real.exitCode()).as(real.toString()).isEqualTo(1);
            assertThat(outcomes(strictJson(real))).as("what the dry run said, org by org")
                    .containsExactlyEntriesOf(new TreeMap<>(Map.of("a1", "backed_up", "a2", "backed_up", "b1", "failed", "b2", "failed")));
            f.assertClean("a1");
            f.assertClean("a2");
        }
    }

    /**
     * A dry run's failed org of a pool that does not answer got the backup itself as its next step ('tenantctl backup --org
     * b1'): pasted, or run by a tool that follows next_step, it writes the backup the dry run only previewed. It is the dry
     * run again, once the pool answers.
     */
    @Test
    void aDryRunsNextStepForAnOrgOfADeadPoolIsTheDryRunAgain() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provisionTier("free", "pool-1", "b1");
            f.pools.kill(1);
            Cli cli = f.cli.quickToGiveUpOnDeadPools();

            Cli.Result dry = cli.run("backup", "--org", "b1", "--dry-run", "-o", "json", "--no-progress");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            JsonNode failed = strictJson(dry).get("failed");
            assertThat(failed).as(dry.toString()).hasSize(1);
            assertThat(failed.get(0).get("next_step").asText()).as(dry.toString()).startsWith("tenantctl backup --org b1").endsWith(" --dry-run");
            assertThat(failed.get(0).get("next_note").asText()).isEqualTo("once pool-1 answers");
            Cli.Result text = cli.run("backup", "--org", "b1", "--dry-run", "--no-progress");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(1);
            assertThat(text.out() + text.err()).as(text.toString()).doesNotContainPattern("tenantctl backup --org b1(?! .*--dry-run)");
            assertThat(f.storeDir).as("a dry run writes nothing").satisfiesAnyOf(d -> assertThat(d).doesNotExist(), d -> assertThat(d).isEmptyDirectory());
        }
    }

    private static Map<String, String> outcomes(JsonNode report) {
        Map<String, String> out = new TreeMap<>();
        report.get("orgs").forEach(o -> out.put(o.get("org_id").asText(), o.get("outcome").asText()));
        return out;
    }
}
