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
 * {@code orgs forget} refuses a failed org another operation holds (a provision re-run) naming it, "pass --wait"; the
 * command waits with --wait, but its {@code --dry-run --wait} refused (exit 3) as if --wait had not been given. It says
 * what the forget would do, as the other single-org dry runs do: a plan, and a line on stderr naming whom it would wait for.
 */
class ForgetOfABusyOrgWithWaitTest {

    @TempDir
    Path dir;

    @Test
    void forgetAndItsDryRunWaitForTheHolderWithWait() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'failed', version = version + 1 where org_id = 'acme'");
            f.heldBy("acme", "provision");

            BackupFixture.refusedAsBusy(f.cli.run("orgs", "forget", "acme", "-o", "json"), "acme", "provision");
            BackupFixture.refusedAsBusy(f.cli.run("orgs", "forget", "acme", "--dry-run", "-o", "json"), "acme", "provision");

            Cli.Result dry = ok(f.cli, "orgs", "forget", "acme", "--dry-run", "--wait", "-o", "json");
            assertThat(dry.err()).contains("would wait (--wait)").contains("org acme is busy: provision by");
            assertThat(strictJson(dry).get("forgotten").asBoolean()).isFalse();

            // the real forget with --wait waits for the holder, then forgets
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Cli.Result> forget = f.cli.start(new CancelToken(), text -> {
                if (text.contains("waiting (--wait)")) {
                    waiting.countDown();
                }
            }, "orgs", "forget", "acme", "--wait", "-o", "json");
            assertThat(waiting.await(60, TimeUnit.SECONDS)).as("the forget waits for the provision").isTrue();
            TestCatalog.execute(f.catalogUrl, "delete from org_leases where org_id = 'acme'");
            Cli.Result forgot = forget.get(60, TimeUnit.SECONDS);
            assertThat(forgot.exitCode()).as(forgot.toString()).isZero();
            assertThat(strictJson(forgot).get("forgotten").asBoolean()).isTrue();
        }
    }
}
