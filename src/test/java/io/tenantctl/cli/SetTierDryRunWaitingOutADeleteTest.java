package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
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

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * While a delete is at work on acme, {@code orgs set-tier acme pro --dry-run --wait -o json} planned the org staying
 * {@code read_only} (the delete's freeze), while the real set-tier waits for the delete and sets the tier of the deleting
 * org it leaves ({@code status: deleting}). The dry run plans on the org as the delete leaves it, writing nothing.
 */
class SetTierDryRunWaitingOutADeleteTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunPlansTheStatusTheRealSetTierReports() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            // the delete at work: the org frozen for it (read_only, was active), its lease held by the delete
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'read_only', status_before_delete = 'active', "
                    + "version = version + 1 where org_id = 'acme'");
            f.heldBy("acme", "delete");
            List<String> catalogBefore = f.catalogRows();

            JsonNode plan = strictJson(ok(f.cli, "orgs", "set-tier", "acme", "pro", "--dry-run", "--wait", "-o", "json"));
            assertThat(f.catalogRows()).as("the dry run writes nothing: %s", plan).isEqualTo(catalogBefore);

            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Cli.Result> setTier = f.cli.start(new CancelToken(), text -> {
                if (text.contains("waiting (--wait)")) {
                    waiting.countDown();
                }
            }, "orgs", "set-tier", "acme", "pro", "--wait", "-o", "json");
            assertThat(waiting.await(60, TimeUnit.SECONDS)).as("the set-tier waits for the delete").isTrue();
            // the delete marks the org deleting (its database kept) and lets go of it
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'deleting', deleted_at = now(), version = version + 1 "
                    + "where org_id = 'acme'");
            TestCatalog.execute(f.catalogUrl, "delete from org_leases where org_id = 'acme'");
            Cli.Result r = setTier.get(60, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode real = strictJson(r);

            assertThat(change(plan)).as("the dry run plans what the real set-tier did: %s / %s", plan, real).isEqualTo(change(real));
            assertThat(f.org("acme").get("status").asText()).isEqualTo(real.get("status").asText());
        }
    }

    /** What a set-tier result says it changes. */
    private static List<String> change(JsonNode c) {
        return List.of(c.get("status_before").asText(), c.get("status").asText(), c.get("tier_before").asText(), c.get("tier").asText(),
                c.get("changed").asText());
    }
}
