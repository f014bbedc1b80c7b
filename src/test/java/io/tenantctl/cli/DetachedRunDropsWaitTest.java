package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (0f33d28, --detach refuses each worker's own limits): '--detach' now refuses --rate, --concurrency and
 * --busy-timeout, which a detached run does not record. '--wait' is the other half of --busy-timeout ("an org another
 * operation holds ... fails after --busy-timeout seconds, or waits with --wait") and is just as much each worker's own:
 * RunEngine reads it from the worker's Settings, the run records nothing of it. 'backup --all --detach --wait' ("the
 * nightly restore drill holds some orgs: wait for them") is accepted, exit 0, and the workers that --join the run give
 * those orgs up after 120 s as failed. Typed with --detach it must be refused (exit 2, nothing recorded) like
 * --busy-timeout, or kept by the run; for migrate-all it also waits for the rollout lock, which --detach does use.
 */
@Timeout(90)
class DetachedRunDropsWaitTest {

    @Test
    void aWaitGivenToADetachedBackupRunIsRefusedNotDropped(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");

            Cli.Result detached = f.cli.run("backup", "--all", "--detach", "--wait", "-o", "json");

            assertThat(detached.exitCode()).as("refused, not silently dropped: " + detached).isEqualTo(2);
            assertThat(strictJson(detached).toString()).contains("--wait").contains("--join");
            assertThat(strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs").findValuesAsText("verb"))
                    .as("no backup run recorded").doesNotContain("backup");
        }
    }
}
