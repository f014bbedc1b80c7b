package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code orgs delete ORG} takes its final backup with zstd, always (OrgLifecycle.finalBackup; the
 * delete has no --compression). Where zstd's native library cannot load (java.io.tmpdir missing, read-only or noexec:
 * the container case the README describes) the delete stops with backup's config error, whose way out is "give it such
 * a directory, or back up with --compression gzip". An operator who follows the second half — {@code tenantctl backup
 * --org acme --compression gzip}, which works — and runs the delete again gets the very same refusal: the delete
 * ignores that backup and takes its own zstd one. A next step must name a command that actually moves the delete on.
 */
class OrgsDeleteWhereZstdCannotLoadHintTest {

    @TempDir
    Path dir;

    @Test
    void theWayOutADeleteRefusalNamesMovesTheDeleteOn() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);

            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString());
            Path noSuchDir = dir.resolve("no-such-dir");
            List<String> noTmp = List.of("-Xmx256m", "-Djava.io.tmpdir=" + noSuchDir);
            ChildJvm.Exit delete = ChildJvm.run(dir.resolve("delete-1"), env, 120, noTmp, Main.class.getName(),
                    "orgs", "delete", "acme");
            if (delete.code() == 0) {
                return; // deleted after a final backup it could take here: nothing to follow
            }
            assertThat(delete.code()).as(delete.err()).isEqualTo(3);
            assertThat(delete.err()).as("the way out names the directory zstd needs").contains(noSuchDir.toString());
            assertThat(f.org("acme").get("status").asText()).as("nothing deleted, the org put back").isEqualTo("active");

            if (delete.err().contains("--compression gzip")) { // the other way out the refusal names: follow it
                ChildJvm.Exit gzip = ChildJvm.run(dir.resolve("backup-gzip"), env, 120, noTmp, Main.class.getName(),
                        "backup", "--org", "acme", "--compression", "gzip");
                assertThat(gzip.code()).as("the backup the refusal advises: %s", gzip.err()).isZero();
                ChildJvm.Exit again = ChildJvm.run(dir.resolve("delete-2"), env, 120, noTmp, Main.class.getName(),
                        "orgs", "delete", "acme");
                assertThat(again.code()).as("the delete once its refusal's way out was taken: %s", again.err()).isZero();
                assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
            }
        }
    }
}
