package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fixing helper noticed: while another operation held the org (a move, a restore), {@code orgs set-tier ORG TIER
 * --dry-run} planned the change (exit 0) while the real set-tier refused it (exit 3, "org acme is busy: move by …; pass
 * --wait"). The dry run looks at the lease as the command takes it: the same refusal, or with --wait a plan and a line on
 * stderr naming whom it would wait for. A set-tier to the tier the org already has takes no lease, dry run or not.
 */
class SetTierDryRunOfABusyOrgTest {

    @TempDir
    Path dir;

    @Test
    void setTierDryRunRefusesABusyOrgAsTheCommandDoes() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String tier = f.org("acme").get("tier").asText();
            f.heldBy("acme", "move");

            BackupFixture.refusedAsBusy(f.cli.run("orgs", "set-tier", "acme", "pro", "-o", "json"), "acme", "move");
            BackupFixture.refusedAsBusy(f.cli.run("orgs", "set-tier", "acme", "pro", "--dry-run", "-o", "json"), "acme", "move");

            Cli.Result waits = ok(f.cli, "orgs", "set-tier", "acme", "pro", "--dry-run", "--wait", "-o", "json");
            assertThat(waits.err()).contains("would wait (--wait)").contains("org acme is busy: move by");
            assertThat(strictJson(waits).get("dry_run").asBoolean()).as(waits.toString()).isTrue();

            // nothing to change: neither takes the lease
            ok(f.cli, "orgs", "set-tier", "acme", tier, "-o", "json");
            ok(f.cli, "orgs", "set-tier", "acme", tier, "--dry-run", "-o", "json");
            assertThat(f.org("acme").get("tier").asText()).isEqualTo(tier);
        }
    }
}
