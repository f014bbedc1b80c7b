package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (x3) of 5c871cd ("backup --due and backup_stale take a suspended org that was never backed up"). The rule is
 * "a read_only org with a complete backup need not be taken again: its data cannot change" — but it changed until the
 * moment it was suspended. An org backed up at midnight, written all day, suspended in the evening: its newest backup
 * lacks that day's writes, {@code backup --due} never takes it again (BackupPolicyRepository.due: read_only only with no
 * complete backup at all) and verify's backup_stale never reports it (Verify.backups: same rule). The day's writes live
 * only in the pool, for as long as the org stays suspended, with every check green.
 */
@Timeout(120)
class BackupDueOfASuspendedOrgWrittenAfterItsLastBackupTest {

    @TempDir
    Path dir;

    @Test
    void writesMadeBeforeTheSuspensionButAfterTheLastBackupGetBackedUpOrReported() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 10);
            f.backup("acme");
            // that backup is older than the tier's frequency (free: weekly; the policy's loss window has passed)
            sql(f, "update backups set started_at = started_at - interval '8 days', recorded_at = recorded_at - interval '8 days', "
                    + "finished_at = finished_at - interval '8 days' where org_id = 'acme'");
            f.notes("acme", "more", 25); // written since, then the org is suspended (non-payment)
            ok(f.cli, "orgs", "suspend", "acme");

            Cli.Result due = f.cli.run("backup", "--due", "-o", "json");
            assertThat(due.exitCode()).as(due.toString()).isZero();
            Cli.Result verify = f.cli.run("verify", "--org", "acme", "-o", "json");

            JsonNode list = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
            long newestDocs = -1;
            for (JsonNode b : list.findParents("backup_id")) {
                if (b.path("status").asText().equals("complete")) {
                    newestDocs = Math.max(newestDocs, b.path("docs").asLong());
                }
            }
            boolean backedUp = newestDocs == 35;
            boolean reported = verify.out().contains("backup_stale");
            assertThat(backedUp || reported).as("acme's 25 documents written after its last backup are in no backup; backup --due "
                    + "(%s) did not take it and verify (exit %s) does not report backup_stale: %s; backups %s", due.out(),
                    verify.exitCode(), verify.out(), list).isTrue();
        }
    }

    private static void sql(BackupFixture f, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
