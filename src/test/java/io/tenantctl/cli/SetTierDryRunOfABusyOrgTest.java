package io.tenantctl.cli;

import io.tenantctl.ops.run.Worker;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
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

    private static void refusedAsBusy(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString()).contains("org acme is busy: move by")
                .contains("--wait");
    }

    @Test
    void setTierDryRunRefusesABusyOrgAsTheCommandDoes() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String tier = f.org("acme").get("tier").asText();
            Worker me = Worker.current("test");
            long pid = ProcessHandle.current().pid();
            TestCatalog.execute(f.catalogUrl, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values "
                    + "('acme', '" + me.host() + "/" + pid + "/mover', '" + me.host() + "', " + pid + ", 'move', null, "
                    + "now() + interval '5 minutes')");

            refusedAsBusy(f.cli.run("orgs", "set-tier", "acme", "pro", "-o", "json"));
            refusedAsBusy(f.cli.run("orgs", "set-tier", "acme", "pro", "--dry-run", "-o", "json"));

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
