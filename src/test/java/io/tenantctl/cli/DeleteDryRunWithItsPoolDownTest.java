package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: `orgs delete --dry-run` of an org whose pool did not answer exited 0 saying the org "would get no
 * final backup (null), then be deleting", while the delete itself failed its final backup (exit 1, nothing deleted).
 * The dry run fails as the delete would, and says why.
 */
class DeleteDryRunWithItsPoolDownTest {

    @TempDir
    Path dir;

    @Test
    void aDryRunFailsAsTheDeleteWouldWhenTheFinalBackupCannotBeTaken() {
        try (BackupFixture f = new BackupFixture(1, dir, java.util.Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString(),
                "TENANTCTL_POOL_CONNECT_TIMEOUT_MS", "300", "TENANTCTL_POOL_SOCKET_TIMEOUT_MS", "500"))) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            ok(f.cli, "pools", "set-uri", "pool-0", "--uri", "mongodb://127.0.0.1:1/", "--force", "--allow-unreachable");

            Cli.Result dry = f.cli.run("orgs", "delete", "acme", "--dry-run");
            Cli.Result real = f.cli.run("orgs", "delete", "acme");
            assertThat(real.exitCode()).as(real.toString()).isEqualTo(3);
            assertThat(real.err()).contains("final backup of org acme failed").contains("nothing deleted");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(3);
            assertThat(dry.out()).doesNotContain("null");
            assertThat(dry.err()).contains("final backup of org acme would fail").contains("pool-0").contains("nothing deleted");
            Cli.Result json = f.cli.run("orgs", "delete", "acme", "--dry-run", "-o", "json");
            assertThat(json.exitCode()).isEqualTo(3);
            assertThat(strictJson(json).get("error").get("message").asText()).contains("would fail");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }
}
