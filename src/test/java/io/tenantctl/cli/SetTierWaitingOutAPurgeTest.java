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
 * {@code orgs set-tier} is refused for a deleted org (exit 2), but the check was made before the command took the org's
 * lease: {@code orgs set-tier acme pro --wait} started while a purge held the org waited for it, then changed the tier of
 * the org the purge had just made {@code deleted} (exit 0, "moved to tier pro"). The status is checked again under the
 * lease, as suspend, resume and forget check theirs.
 */
class SetTierWaitingOutAPurgeTest {

    @TempDir
    Path dir;

    @Test
    void aSetTierThatWaitedForAPurgeIsRefusedForTheDeletedOrg() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            ok(f.cli, "orgs", "delete", "acme", "--no-backup", "-o", "json");
            f.heldBy("acme", "purge");

            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Cli.Result> setTier = f.cli.start(new CancelToken(), text -> {
                if (text.contains("waiting (--wait)")) {
                    waiting.countDown();
                }
            }, "orgs", "set-tier", "acme", "pro", "--wait", "-o", "json");
            assertThat(waiting.await(60, TimeUnit.SECONDS)).as("the set-tier waits for the purge").isTrue();
            // the purge hands the org over (deleted) and lets go of it
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'deleted', version = version + 1 where org_id = 'acme'");
            TestCatalog.execute(f.catalogUrl, "delete from org_leases where org_id = 'acme'");

            Cli.Result r = setTier.get(60, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString())
                    .isEqualTo("org acme is deleted: its tier can no longer be changed");
            assertThat(f.org("acme").get("tier").asText()).isEqualTo("free");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleted");
        }
    }
}
