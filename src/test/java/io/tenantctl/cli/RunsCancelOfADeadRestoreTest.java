package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * e513103: "runs cancel: an org claimed by a worker whose lease ran out is recorded cancelled too (it stayed 'running'
 * for ever in a run that was over)". The fix cancels items {@code status = 'running' and lease_until < now()}. A restore
 * does not run on the run engine: Restore marks its item with RunRepository.itemStarted, which sets status running
 * and no lease at all (lease_until NULL). A restore whose process was killed (kill -9, OOM killer, node lost) therefore
 * leaves an item whose lease_until is NULL, which "< now()" never matches: 'runs cancel' of that run records the run
 * cancelled and leaves the org 'running' in it for ever — the very symptom the fix was for.
 */
class RunsCancelOfADeadRestoreTest {

    @TempDir
    Path dir;

    @Test
    void cancellingTheRunOfARestoreWhoseProcessDiedLeavesNoOrgRunning() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String backup = f.backup("acme");
            String runId = strictJson(ok(f.cli, "restore", "--org", "acme", "--backup", backup, "-o", "json")).get("run_id").asText();
            // the catalog as the restore's process left it when it was killed mid-copy: run running, its item started
            // (RunRepository.itemStarted: status running, no lease), its heartbeat long stale
            sql(f.catalogUrl, "update runs set status = 'running', finished_at = null, heartbeat_at = now() - interval '5 minutes' "
                    + "where run_id = '" + runId + "'");
            sql(f.catalogUrl, "update run_items set status = 'running', lease_until = null, error = null where run_id = '" + runId + "'");

            ok(f.cli, "runs", "cancel", runId);

            JsonNode shown = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(shown.get("run").get("status").asText()).isEqualTo("cancelled");
            assertThat(MigrateAllFixture.itemStatuses(shown)).as("the org of a cancelled restore run whose process is gone: %s",
                    shown.get("items")).doesNotContainKey("running");
        }
    }
}
