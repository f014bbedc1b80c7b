package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup run keeps the compression and freeze it was created with (README, Runs). A flag typed with --join or
 * --resume that the run will not honour must be refused (exit 2), as migrate-all refuses its kept flags "rather than
 * ignored", and as backup itself refuses --org/--all/--pool/--due there. The case that matters: a backup failed because
 * writes changed the counts, its error says "pass --freeze for a consistent copy", and the operator types it on the
 * run's --resume (or in the Job's --join line): the copy is taken live again while the command says nothing.
 */
class BackupJoinTypedFlagsTest {

    @TempDir
    Path dir;

    @Test
    void freezeTypedOnAJoinedBackupRunIsRefusedNotSilentlyDropped() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme", "--detach", "-o", "json")).get("run_id").asText();

            Cli.Result r = f.cli.run("backup", "--join", runId, "--freeze", "-o", "json");

            assertThat(r.exitCode()).as("--freeze is not what run " + runId + " does: " + r).isEqualTo(2);
            assertThat(strictJson(r).get("error").get("message").asText()).contains("--freeze");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    @Test
    void compressionTypedOnAResumedBackupRunIsRefusedNotSilentlyDropped() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme", "--detach", "-o", "json")).get("run_id").asText();

            Cli.Result r = f.cli.run("backup", "--resume", runId, "--compression", "gzip", "-o", "json");

            assertThat(r.exitCode()).as("the run writes zstd, not the gzip typed: " + r).isEqualTo(2);
            assertThat(strictJson(r).get("error").get("message").asText()).contains("--compression");
            try (Stream<Path> files = Files.walk(f.storeDir)) {
                assertThat(files.map(Path::toString).filter(p -> p.endsWith(".zst"))).as("no backup written in a format not asked for").isEmpty();
            }
        }
    }
}
