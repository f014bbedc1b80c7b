package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (x3) of 5c871cd: {@code backup --due} now takes a suspended org that has no complete backup. When that org's
 * database is gone (or empty), Backup.copy refuses with "nothing to back up; 'tenantctl restore --org acme' brings back
 * its newest backup" — but the org was taken precisely because it has no backup: the hint, followed literally, fails with
 * "org acme has no complete backup" (exit 2). verify's missing_database says the right thing in this case ("look for the
 * data in the pool's own backups"); the hourly backup run repeats the wrong one every hour.
 */
@Timeout(120)
class BackupDueHintForAnUnbackedOrgWithNoDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void theHintOfAnUnbackedOrgWithNothingToBackUpWorksWhenFollowed() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            ok(f.cli, "orgs", "suspend", "acme");
            f.db("acme").drop(); // its database lost on the pool before its first backup

            Cli.Result due = f.cli.run("backup", "--due");
            assertThat(due.exitCode()).as(due.toString()).isEqualTo(1);
            String said = due.out() + due.err();
            Matcher hint = Pattern.compile("'(tenantctl restore [^']*)'").matcher(said);
            if (hint.find()) {
                String[] args = hint.group(1).substring("tenantctl ".length()).split(" ");
                Cli.Result followed = f.cli.run(args);
                assertThat(followed.exitCode()).as("backup --due said: %s%nfollowing '%s' literally: %s", said, hint.group(1), followed)
                        .isZero();
            }
        }
    }
}
