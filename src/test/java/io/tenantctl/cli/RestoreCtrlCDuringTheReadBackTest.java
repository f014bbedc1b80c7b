package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C stops a restore between two batches and rolls it back (README). The read-back that holds each restored
 * collection to the backup's digest read the whole collection without looking at Ctrl-C, and after the last
 * collection nothing looked again: a Ctrl-C that came while the last collection was read back (for a large org, the
 * longest read of the restore) was ignored, the restore finished and flipped the org, exit 0.
 */
class RestoreCtrlCDuringTheReadBackTest {

    @TempDir
    Path dir;

    @Test
    void aCtrlCWhileTheLastCollectionIsReadBackStopsTheRestore() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 30);
            String backupId = f.backup("acme");
            JsonNode show = CliFixture.strictJson(CliFixture.ok(f.cli, "backups", "show", backupId, "-o", "json"));
            JsonNode collections = show.path("manifest").isMissingNode() ? show.path("collections") : show.path("manifest").path("collections");
            String last = collections.get(collections.size() - 1).get("name").asText();

            CancelToken cancel = new CancelToken();
            AtomicBoolean reached = new AtomicBoolean();
            Cli cli = f.cli.decoratePools(real -> HookedPools.beforeWholeFind(real, "org_acme_copy", last, () -> {
                reached.set(true);
                cancel.cancel("SIGINT");
            }));
            Cli.Result r = cli.run(cancel, "restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy");

            assertThat(reached).as("the read-back of " + last + " was reached").isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            assertThat(f.databaseNames("pool-0")).as(r.toString()).doesNotContain("org_acme_copy");
            assertThat(f.cli.run("orgs", "show", "acme-copy").exitCode()).as("no org acme-copy").isNotEqualTo(0);
        }
    }
}
