package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code verify --deep} run where zstd's native library cannot load (a container whose
 * java.io.tmpdir is missing, read-only or noexec — the case the README and deploy/ guard against for backup and
 * restore, which stop with exit 3 naming the directory) reads the org's newest zstd backup, gets the local "zstd cannot
 * run here" config error, and reports it as a {@code backup_corrupt} problem: "the newest backup of org acme (…) does
 * not read back", exit 4, recorded as a finding, with the fix {@code tenantctl backup --org acme (a fresh backup …)}.
 * The backup is whole (a verify --deep anywhere else reads it back clean). The fix it names either fails the same way
 * here or, taken elsewhere, makes the org's current data its newest backup — the one a plain {@code restore} takes —
 * which is exactly the harm RestoreWhereZstdCannotLoadTest keeps restore from advising. Like backup and restore, verify
 * --deep must call this what it is: a config error of this process (exit 3) naming the directory, not a corrupt backup.
 */
class VerifyDeepWhereZstdCannotLoadTest {

    @TempDir
    Path dir;

    @Test
    void aWholeZstdBackupIsNotReportedCorruptWhereZstdCannotRun() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String backupId = f.backup("acme"); // zstd, the default

            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString());
            Path noSuchDir = dir.resolve("no-such-dir");
            List<String> noTmp = List.of("-Xmx256m", "-Djava.io.tmpdir=" + noSuchDir);
            ChildJvm.Exit verify = ChildJvm.run(dir.resolve("verify"), env, 120, noTmp, Main.class.getName(),
                    "verify", "--deep", "--org", "acme");
            String said = verify.out() + verify.err();

            assertThat(said).as("the backup is not damaged: this process cannot run zstd").doesNotContain("backup_corrupt")
                    .doesNotContain("does not read back");
            assertThat(said).as("no fresh backup is advised in place of a restorable one").doesNotContain("tenantctl backup --org acme");
            assertThat(said).as("the way out names the directory zstd needs").contains(noSuchDir.toString());
            assertThat(verify.code()).as("a config error of this process, as backup and restore say: %s", said).isEqualTo(3);

            // the backup was whole all along: read back where zstd runs, it is clean
            Cli.Result elsewhere = f.cli.run("verify", "--deep", "--org", "acme");
            assertThat(elsewhere.exitCode()).as("backup %s reads back: %s%s", backupId, elsewhere.out(), elsewhere.err()).isZero();
        }
    }
}
