package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (x2) of the README line 757d642 added: "--all, --pool and --due take the orgs in use (active or read_only)".
 * {@code backup --due} (the hourly CronJob) selects only active orgs ({@code BackupPolicyRepository.due}: status =
 * 'active'), and verify's backup_stale looks only at active orgs. An org suspended before its first scheduled backup
 * (data imported, then suspended for non-payment) is never backed up by the schedule and never reported: its data lives
 * only in its pool. A read_only org that already has a backup need not be taken again (its data cannot change), but one
 * with none must be taken, as the README says.
 */
@Timeout(120)
class BackupDueOfASuspendedOrgNeverBackedUpTest {

    @TempDir
    Path dir;

    @Test
    void theScheduleBacksUpASuspendedOrgThatHasNoBackup() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 10);
            ok(f.cli, "orgs", "suspend", "acme"); // before the hourly 'backup --due' ever reached it

            Cli.Result due = f.cli.run("backup", "--due", "-o", "json");
            assertThat(due.exitCode()).as(due.toString()).isZero();

            JsonNode list = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
            assertThat(list.findValuesAsText("status")).as("acme (read_only, in use, never backed up) after backup --due: %s; backups: %s",
                    due, list.toPrettyString()).contains("complete");
        }
    }
}
