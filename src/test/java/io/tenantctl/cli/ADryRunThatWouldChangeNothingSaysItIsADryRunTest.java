package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every line a --dry-run prints starts "dry run:", so that what it says is never read as done; `orgs suspend`, `orgs
 * resume` and `orgs set-tier` of an org that would not change printed "org acme is already …: nothing to do" without it;
 * `orgs delete --dry-run` of an org already deleting printed the real delete's "org acme is already deleting (since …)".
 */
class ADryRunThatWouldChangeNothingSaysItIsADryRunTest {

    @TempDir
    Path dir;

    @Test
    void suspendResumeAndSetTierDryRunsOfAnUnchangedOrgSayDryRun() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String tier = f.org("acme").get("tier").asText();
            assertDryRun(ok(f.cli, "orgs", "resume", "acme", "--dry-run"), "org acme is already active: nothing to do");
            assertDryRun(ok(f.cli, "orgs", "set-tier", "acme", tier, "--dry-run"), "org acme is already on tier " + tier + ": nothing to do");
            ok(f.cli, "orgs", "suspend", "acme");
            assertDryRun(ok(f.cli, "orgs", "suspend", "acme", "--dry-run"), "org acme is already read_only: nothing to do");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("read_only");
            assertThat(f.org("acme").get("tier").asText()).isEqualTo(tier);

            ok(f.cli, "orgs", "delete", "acme", "--no-backup");
            java.util.List<String> catalogBefore = f.catalogRows();
            Cli.Result dry = ok(f.cli, "orgs", "delete", "acme", "--dry-run");
            assertThat(f.catalogRows()).as("the dry run writes nothing: %s", dry).isEqualTo(catalogBefore);
            assertDryRun(dry, ok(f.cli, "orgs", "delete", "acme").out().strip()); // the real delete's line: nothing to do
            assertThat(dry.out()).contains("org acme is already deleting");
        }
    }

    private static void assertDryRun(Cli.Result r, String said) {
        assertThat(r.out().strip()).as(r.toString()).isEqualTo("dry run: " + said);
    }
}
