package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper, on S3 and file:// alike: an org whose backups were all gone from the store was never due.
 * verify (and restore) found the newest gone and marked it so, but the older one, gone too and never itself looked for,
 * still counted as a fresh backup for {@code backup --due} — while restore said the org "has no older complete backup".
 * Every backup the same listing shows gone from the store is marked, so --due takes the org.
 */
@Timeout(120)
class BackupDueOfAnOrgWhoseBackupsAreAllGoneTest {

    @TempDir
    Path dir;

    @Test
    void aDeepVerifyThatFindsThemGoneMakesTheOrgDue() throws Exception {
        try (BackupFixture f = twoBackupsGone()) {
            Cli.Result deep = f.cli.run("verify", "--deep", "--org", "acme");
            assertThat(deep.exitCode()).as(deep.toString()).isEqualTo(4);

            assertThat(due(f)).as("no backup of acme left in the store").containsExactly("acme");
        }
    }

    @Test
    void aPlainVerifyThatFindsThemGoneMakesTheOrgDue() throws Exception {
        try (BackupFixture f = twoBackupsGone()) {
            Cli.Result plain = f.cli.run("verify", "--org", "acme");
            assertThat(plain.exitCode()).as(plain.toString()).isEqualTo(4);

            assertThat(due(f)).as("no backup of acme left in the store").containsExactly("acme");
        }
    }

    @Test
    void aRestoreThatFindsThemGoneMakesTheOrgDue() throws Exception {
        try (BackupFixture f = twoBackupsGone()) {
            Cli.Result dryRun = f.cli.run("restore", "--org", "acme", "--dry-run");
            assertThat(dryRun.exitCode()).as(dryRun.toString()).isEqualTo(1);
            assertThat(dryRun.err()).contains("has no older complete backup");
            assertThat(due(f)).as("a dry run records nothing").isEmpty();

            Cli.Result restore = f.cli.run("restore", "--org", "acme");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.err()).contains("has no older complete backup");

            assertThat(due(f)).as("no backup of acme left in the store").containsExactly("acme");
            ok(f.cli, "backup", "--due");
            assertThat(due(f)).isEmpty();
        }
    }

    private BackupFixture twoBackupsGone() throws Exception {
        BackupFixture f = new BackupFixture(1, dir);
        f.provision("acme");
        f.notes("acme", "notes", 10);
        String older = f.backup("acme");
        String newest = f.backup("acme");
        assertThat(due(f)).isEmpty();
        f.removeFromStore("acme", older);
        f.removeFromStore("acme", newest);
        return f;
    }

    private static List<String> due(BackupFixture f) {
        return strictJson(ok(f.cli, "backup", "--due", "--dry-run", "-o", "json")).get("orgs").findValuesAsText("org_id");
    }
}
