package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
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

    private TestPools pools;

    @AfterEach
    void stop() {
        if (pools != null) {
            pools.close();
        }
    }

    @Test
    void moreThanAPageOfAFleetsFindingsIsReportedOnOneCatalogConnection() throws Exception {
        int each = 600; // 1,200 findings: more than a page of them recorded while the run's items are read
        String url = CliFixture.initialisedCatalog();
        Cli owner = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall"));
        pools = new TestPools(1);
        CliFixture.addPool(owner, "pool-0", pools.uri(0), 2 * ORGS, 1);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("insert into orgs (org_id, pool_id, database_name, status, tier, updated_at) select 'org-' || g, 'pool-0', "
                    + "'org_org_' || g, 'active', 'free', now() from generate_series(1, " + ORGS + ") g");
        }
        String run = checkedRun(url, owner, each);
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

    /** A detached verify run of the orgs whose every org's check recorded {@code each} missing indexes, as a worker leaves it. */
    private static String checkedRun(String url, Cli cli, int each) throws Exception {
        String run = strictJson(ok(cli, "verify", "--detach", "-o", "json")).get("run_id").asText();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("update run_items set status = 'succeeded', attempts = 1, millis = 5, detail = (select json_build_object('findings', "
                    + "json_agg(json_build_object('kind', 'schema_missing', 'severity', 'problem', 'subject', 'c' || g || '.ix_' || g, "
                    + "'detail', 'org ' || org_id || ' lacks c' || g || '.ix_' || g, 'fix', 'tenantctl verify --org ' || org_id "
                    + "|| ' --fix', 'fix_note', null, 'fix_text', 'tenantctl verify --org ' || org_id || ' --fix') order by g)) "
                    + "from generate_series(1, " + each + ") g)::jsonb where run_id = '" + run + "'");
        }
        return run;
    }
}
