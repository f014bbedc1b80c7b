package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator who deleted the wrong org runs {@code orgs resume acme} while the delete is still at work: exit 3, "org
 * acme is busy: delete by …; pass --wait". With {@code --wait} the resume waited for the delete, then refused the org it
 * left (exit 2: "org acme is deleting: only active or read_only orgs (or deleting ones, their database kept) can be
 * resumed (… 'tenantctl orgs resume acme' takes it back …)"), naming itself as the way out. A resume with --wait is
 * decided on the org as its holder leaves it: a deleting org whose database is kept is taken back, as a resume run then
 * would take it.
 */
class ResumeWaitingOutADeleteTest {

    @TempDir
    Path dir;

    @Test
    void aResumeThatWaitedForADeleteUndoesIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.deleteAtWork("acme");
            BackupFixture.refusedAsBusy(f.cli.run("orgs", "resume", "acme", "-o", "json"), "acme", "delete");

            // once it waits, the delete ends: the org marked deleting (its database kept), its lease let go
            Cli.Result r = f.waitingOutTheDelete("acme", "orgs", "resume", "acme", "--wait", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(strictJson(r).get("status_before").asText()).isEqualTo("deleting");
            assertThat(strictJson(r).get("status").asText()).isEqualTo("active");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(3);
            // nothing left for purge to drop
            Cli.Result purge = ok(f.cli, "orgs", "purge", "--older-than", "0", "-o", "json");
            assertThat(strictJson(purge).get("orgs")).as(purge.toString()).isEmpty();
        }
    }
}
