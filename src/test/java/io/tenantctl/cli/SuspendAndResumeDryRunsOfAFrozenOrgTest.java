package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper ran two verbs on one org at once: during a move's freeze (the org read_only under the move's lease)
 * {@code orgs suspend --dry-run} said "org acme is already read_only: nothing to do" (exit 0) and {@code orgs resume
 * --dry-run} "would be resumed (read_only -> active)", while the real suspend exits 3 (busy) and the org is active once
 * the move is done. A move's (or a freeze backup's) read_only is not a suspension: both dry runs name the holder and exit
 * as the commands do, and the real resume does not unfreeze the org under the move.
 */
class SuspendAndResumeDryRunsOfAFrozenOrgTest {

    @TempDir
    Path dir;

    @Test
    void dryRunsDuringAMovesFreezeNameTheMoveAsTheCommandsDo() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            // a move of acme in its freeze: read_only, its lease held by this live process
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'read_only', version = version + 1 where org_id = 'acme'");
            f.heldBy("acme", "move");

            BackupFixture.refusedAsBusy(f.cli.run("orgs", "suspend", "acme", "--dry-run", "-o", "json"), "acme", "move");
            BackupFixture.refusedAsBusy(f.cli.run("orgs", "suspend", "acme", "-o", "json"), "acme", "move");
            BackupFixture.refusedAsBusy(f.cli.run("orgs", "resume", "acme", "--dry-run", "-o", "json"), "acme", "move");
            BackupFixture.refusedAsBusy(f.cli.run("orgs", "resume", "acme", "-o", "json"), "acme", "move");
            assertThat(f.org("acme").get("status").asText()).as("the move's freeze is left to the move").isEqualTo("read_only");

            Cli.Result waits = ok(f.cli, "orgs", "suspend", "acme", "--dry-run", "--wait");
            assertThat(waits.err()).contains("would wait (--wait)").contains("org acme is busy: move by");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("read_only");
        }
    }
}
