package io.tenantctl.cli;

import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
            // the delete at work: the org frozen for it (read_only, was active), its lease held by the delete
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'read_only', status_before_delete = 'active', "
                    + "version = version + 1 where org_id = 'acme'");
            f.heldBy("acme", "delete");
            BackupFixture.refusedAsBusy(f.cli.run("orgs", "resume", "acme", "-o", "json"), "acme", "delete");

            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Cli.Result> resume = f.cli.start(new CancelToken(), text -> {
                if (text.contains("waiting (--wait)")) {
                    waiting.countDown();
                }
            }, "orgs", "resume", "acme", "--wait", "-o", "json");
            assertThat(waiting.await(60, TimeUnit.SECONDS)).as("the resume waits for the delete").isTrue();
            // the delete marks the org deleting (its database kept) and lets go of it
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'deleting', deleted_at = now(), version = version + 1 "
                    + "where org_id = 'acme'");
            TestCatalog.execute(f.catalogUrl, "delete from org_leases where org_id = 'acme'");

            Cli.Result r = resume.get(60, TimeUnit.SECONDS);
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
