package io.tenantctl.cli;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found probing clocks: the refusal of a busy org said how long its holder has held it from when the catalog stamped
 * the lease to this host's clock. From a host two hours behind the catalog, a lease taken two hours ago was "(0 s)"
 * old (and from one ahead, a lease just taken was hours old, which reads as a stuck holder).
 */
class BusyOrgHeldForByTheCatalogsClockTest {

    @TempDir
    Path dir;

    @Test
    void howLongTheHolderHasHeldTheOrgIsTheCatalogsTime() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            TestCatalog.skewClock(f.catalogUrl, Duration.ofHours(2)); // this host: 2 h behind the catalog
            try (Catalog catalog = Catalog.open(f.catalogUrl)) {
                assertThat(catalog.leases().acquire("acme", "elsewhere/4242/x", "elsewhere", 4242, "restore", null, null, 600).taken()).isTrue();
            }
            TestCatalog.execute(f.catalogUrl, "update org_leases set acquired_at = now() - interval '1 hour' where org_id = 'acme'");

            Cli.Result r = f.cli.run("orgs", "set-tier", "acme", "pro", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString()).containsPattern("since \\S+ \\(36[0-9][0-9] s\\)");
        }
    }
}
