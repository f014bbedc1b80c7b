package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: 'restore --backup ID --dry-run' of a backup that is being written right now (the backup holds the org's
 * lease) read the backup before it looked at the lease, and said "org acme has no backup ID" (exit 2), while the restore
 * itself, which decides under the lease, is refused as the org is busy (exit 3, naming the backup and --wait). A dry run
 * looks at the lease first, as the restore takes it first, and says the same.
 */
class ADryRunNamingABackupBeingWrittenSaysWhatTheRestoreSaysTest {

    @TempDir
    Path dir;

    @Test
    void saysTheOrgIsBusyWithTheBackupAsTheRestoreDoes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir); Pause stopped = Pause.at(1)) {
            f.provision("acme");
            f.seedNotes("acme", 10);
            Cli backupCli = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme") ? db
                    : HookedPools.beforeEach(db, "listCollectionNames", stopped::call)));
            CompletableFuture<Cli.Result> backup = backupCli.start("backup", "--org", "acme", "-o", "json");
            assertThat(stopped.awaitPaused()).as("the backup reached the org").isTrue();
            String writing = strictJson(f.cli.run("backups", "list", "--org", "acme", "-o", "json")).findValuesAsText("backup_id").get(0);

            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--backup", writing, "-o", "json");
            BackupFixture.refusedAsBusy(restore, "acme", "backup");
            Cli.Result dry = f.cli.run("restore", "--org", "acme", "--backup", writing, "--dry-run", "-o", "json");
            BackupFixture.refusedAsBusy(dry, "acme", "backup");
            assertThat(withoutAge(strictJson(dry).get("error").get("message").asText())).as("the dry run says what the restore says")
                    .isEqualTo(withoutAge(strictJson(restore).get("error").get("message").asText()));

            stopped.wake();
            Cli.Result b = backup.get(60, TimeUnit.SECONDS);
            assertThat(b.exitCode()).as(b.toString()).isZero();
        }
    }

    /** The holder's age ("(0 s)") ticks between the two commands on a busy machine; the rest of the line must match. */
    private static String withoutAge(String refusal) {
        return refusal.replaceAll("\\(\\d+ s\\)", "(N s)");
    }
}
