package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: after {@code orgs delete nb1 --no-backup} and its database gone (dropped by hand, or
 * purged), {@code orgs resume nb1} said "its data comes back from its final backup under a new id: tenantctl restore
 * --org nb1 --to-org NEW_ID" — but there is no final backup, and the restore then says "org nb1 has no complete backup";
 * with an older backup it would quietly bring back pre-delete data. The restore is named only when the org has a
 * complete backup, saying which one (the delete's final one, or an older one from before the delete); with none, that
 * there is nothing to bring back.
 */
class ResumeOfAGoneOrgNamesOnlyABackupItHasTest {

    @TempDir
    Path dir;

    @Test
    void resumeNamesTheRestoreOnlyOfABackupThatExistsAndSaysWhichItIs() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("nb1", "nb2", "fb1");
            f.notes("nb2", "notes", 2);
            String older = f.backup("nb2");
            f.notes("nb2", "later", 1); // written after that backup: in no backup
            for (String org : new String[]{"nb1", "nb2"}) {
                ok(f.cli, "orgs", "delete", org, "--no-backup");
                f.db(org).drop();
            }

            Cli.Result none = f.cli.run("orgs", "resume", "nb1");
            assertThat(none.exitCode()).as(none.toString()).isEqualTo(2);
            assertThat(none.err()).contains("its database org_nb1 is gone from pool pool-0").contains("kept no backup")
                    .contains("nothing to bring back").doesNotContain("tenantctl restore");
            assertThat(f.org("nb1").get("status").asText()).isEqualTo("deleting");

            Cli.Result old = f.cli.run("orgs", "resume", "nb2");
            assertThat(old.exitCode()).as(old.toString()).isEqualTo(2);
            assertThat(old.err()).contains(older).contains("an older one from").contains("kept no backup")
                    .contains("tenantctl restore --org nb2 --to-org NEW_ID");

            ok(f.cli, "orgs", "purge", "--older-than", "0");
            Cli.Result purged = f.cli.run("orgs", "resume", "nb1");
            assertThat(purged.exitCode()).as(purged.toString()).isEqualTo(2);
            assertThat(purged.err()).contains("org nb1 is deleted").contains("nothing to bring back").doesNotContain("tenantctl restore");
            assertThat(f.cli.run("orgs", "resume", "nb2").err()).contains(older).contains("an older one from")
                    .contains("tenantctl restore --org nb2 --to-org NEW_ID");

            ok(f.cli, "orgs", "delete", "fb1");
            f.db("fb1").drop();
            Cli.Result last = f.cli.run("orgs", "resume", "fb1");
            assertThat(last.exitCode()).as(last.toString()).isEqualTo(2);
            assertThat(last.err()).contains("the final one its delete took").contains("tenantctl restore --org fb1 --to-org NEW_ID");
        }
    }
}
