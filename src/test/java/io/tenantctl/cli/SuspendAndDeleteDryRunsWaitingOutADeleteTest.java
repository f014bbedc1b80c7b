package io.tenantctl.cli;

import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * While a delete is at work on acme (the org frozen read_only for its final backup), {@code orgs suspend acme --dry-run
 * --wait} said "dry run: org acme is already read_only: nothing to do" and {@code orgs delete acme --dry-run --wait}
 * planned a final backup and the delete (both exit 0), while the real commands wait for the delete and then refuse the
 * deleting org it leaves (exit 2, "org acme is deleting: only active or read_only orgs can be …"). Each dry run plans on
 * the org as the delete it would wait for leaves it, and refuses as the real command then does, writing nothing.
 */
class SuspendAndDeleteDryRunsWaitingOutADeleteTest {

    @TempDir
    Path dir;

    @Test
    void suspendsDryRunRefusesAsTheSuspendThatWaitedDoes() throws Exception {
        dryRunRefusesAsTheRealOneDoes("suspend", "suspended");
    }

    @Test
    void deletesDryRunRefusesAsTheDeleteThatWaitedDoes() throws Exception {
        dryRunRefusesAsTheRealOneDoes("delete", "deleted");
    }

    private void dryRunRefusesAsTheRealOneDoes(String verb, String done) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            // the delete at work: the org frozen for it (read_only, was active), its lease held by the delete
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'read_only', status_before_delete = 'active', "
                    + "version = version + 1 where org_id = 'acme'");
            f.heldBy("acme", "delete");
            List<String> catalogBefore = f.catalogRows();
            var dataBefore = BackupFixture.contents(f.db("acme"));

            Cli.Result dry = f.cli.run("orgs", verb, "acme", "--dry-run", "--wait", "-o", "json");
            assertThat(f.catalogRows()).as("the dry run writes nothing to the catalog: %s", dry).isEqualTo(catalogBefore);
            assertThat(BackupFixture.contents(f.db("acme"))).as("nor to the org's database").isEqualTo(dataBefore);

            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Cli.Result> real = f.cli.start(new CancelToken(), text -> {
                if (text.contains("waiting (--wait)")) {
                    waiting.countDown();
                }
            }, "orgs", verb, "acme", "--wait", "-o", "json");
            assertThat(waiting.await(60, TimeUnit.SECONDS)).as("the %s waits for the delete", verb).isTrue();
            // the delete marks the org deleting (its database kept) and lets go of it
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'deleting', deleted_at = now(), version = version + 1 "
                    + "where org_id = 'acme'");
            TestCatalog.execute(f.catalogUrl, "delete from org_leases where org_id = 'acme'");
            Cli.Result r = real.get(60, TimeUnit.SECONDS);
            String refusal = "org acme is deleting: only active or read_only orgs can be " + done;
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString()).contains(refusal);

            assertThat(dry.exitCode()).as("the dry run ends as the real %s did: %s", verb, dry).isEqualTo(r.exitCode());
            assertThat(strictJson(dry).get("error").get("message").asText()).as(dry.toString()).startsWith("dry run: ").contains(refusal);
        }
    }
}
