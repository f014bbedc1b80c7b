package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a review of verify: the pass that records a run's findings from its items wrote each page of 1,000 findings to
 * the catalog inside the callback of {@code RunRepository.forEachItem}, whose cursor holds a catalog connection for the
 * whole read. A catalog with one connection slot left for tenantctl (max_connections all but used up, here a role's
 * connection limit of 1) reported a few findings, but one of more than a page waited for a second connection the server
 * refused, then failed "too slow or too busy", exit 3. The items are read a page at a time by key, the findings written
 * between pages, one connection at a time.
 */
class VerifyWithOneCatalogConnectionReportsAThousandFindingsTest {

    private static final int ORGS = 2;

    private final CheckedVerifyFleet fleet = new CheckedVerifyFleet(ORGS);

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void moreThanAPageOfAFleetsFindingsIsReportedOnOneCatalogConnection() throws Exception {
        int each = 600; // 1,200 findings: more than a page of them recorded while the run's items are read
        String url = fleet.url;
        String run = fleet.checkedRun(each, 0);
        String role = "one_slot_" + ProcessHandle.current().pid();
        TestCatalog.execute(url, "create role " + role + " login connection limit 1");
        try {
            TestCatalog.execute(url, "grant usage on schema public to " + role);
            TestCatalog.execute(url, "grant select, insert, update, delete on all tables in schema public to " + role);
            TestCatalog.execute(url, "grant usage, select, update on all sequences in schema public to " + role);
            String asRole = url.replaceFirst("user=[^&]*", "user=" + role);
            assertThat(asRole).contains("user=" + role);
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", asRole, "USER", "oncall"));

            Cli.Result r = cli.run("verify", "--resume", run, "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            assertThat(strictJson(r).get("problems").asLong()).as(r.toString()).isEqualTo((long) ORGS * each);
            assertThat(strictJson(r).get("findings")).as(r.toString()).hasSize(ORGS * each);
        } finally {
            TestCatalog.execute(url, "drop owned by " + role);
            TestCatalog.execute(url, "drop role " + role);
        }
    }
}
