package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a review of verify's output: its text was printed as its findings were read back from the catalog (a page
 * of 1,000 at a time), so a catalog lost in the middle of that read (a failover, a proxy restart) left the findings read
 * so far on stdout, then the error: at 3 a.m. the start of the list reads as the whole of it. -o json was already
 * spooled and printed once whole; the text is too: stdout holds no part of the listing, stderr the one error line, exit 3.
 */
class VerifyWhoseCatalogIsLostMidListingPrintsNoPartOfItTest {

    private static final int ORGS = 2;
    private static final int EACH = 1_000; // 2,000 findings: two pages of the catalog's read-back

    private TestPools pools;
    private FaultProxy catalogProxy;

    @AfterEach
    void stop() {
        if (catalogProxy != null) {
            catalogProxy.close();
        }
        if (pools != null) {
            pools.close();
        }
    }

    @Test
    void aTextListingCutShortByALostCatalogPrintsNoneOfItAndSaysWhatFailed() throws Exception {
        String url = CliFixture.initialisedCatalog();
        String jdbc = url.substring("jdbc:".length());
        catalogProxy = FaultProxy.to(jdbc);
        String proxied = "jdbc:" + catalogProxy.uriFor(jdbc);
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", proxied, "USER", "oncall"));
        pools = new TestPools(1);
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 2 * ORGS, 1);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("insert into orgs (org_id, pool_id, database_name, status, tier, updated_at) select 'org-' || g, 'pool-0', "
                    + "'org_org_' || g, 'active', 'free', now() from generate_series(1, " + ORGS + ") g");
        }

        // a first report of the fleet, whole: what its catalog traffic comes to, the read-back of the findings last
        long before = catalogProxy.bytes();
        Cli.Result whole = cli.run("verify", "--resume", checkedRun(url, cli));
        assertThat(whole.exitCode()).as(whole.toString()).isEqualTo(4);
        assertThat(whole.out()).contains("verified " + ORGS + " org(s): " + ORGS * EACH + " problem(s)");
        long total = catalogProxy.bytes() - before;
        long readBack = bytesOfReadingTheFindings(proxied);

        // the same report again, the catalog lost (every connection cut) half-way through the read-back's second page
        String run = checkedRun(url, cli);
        catalogProxy.afterBytes(total - readBack / 4, catalogProxy::cutAll);
        Cli.Result lost = cli.run("verify", "--resume", run);

        assertThat(catalogProxy.fired()).as("the catalog was lost: " + lost).isTrue();
        assertThat(lost.exitCode()).as(lost.toString()).isEqualTo(3);
        assertThat(lost.err()).as(lost.toString()).contains("error: catalog unreachable");
        assertThat(lost.out()).as("no part of the listing, which would read as the whole of it: " + lost)
                .doesNotContain("schema_missing").doesNotContain("verified ");
    }

    /** The bytes a read of every finding's row takes through the proxy, in pages of 1,000 as verify reads them back. */
    private long bytesOfReadingTheFindings(String proxied) throws Exception {
        long before = catalogProxy.bytes();
        try (Connection c = DriverManager.getConnection(proxied)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(1000);
                try (ResultSet rs = s.executeQuery("select f.*, 'known' as sighted_state from findings f")) {
                    while (rs.next()) {
                        rs.getString("finding_id");
                    }
                }
            }
            c.rollback();
        }
        return catalogProxy.bytes() - before;
    }

    /** A detached verify run of the orgs whose every org's check recorded {@code EACH} missing indexes, as a worker leaves it. */
    private static String checkedRun(String url, Cli cli) throws Exception {
        String run = strictJson(ok(cli, "verify", "--detach", "-o", "json")).get("run_id").asText();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("update run_items set status = 'succeeded', attempts = 1, millis = 5, detail = (select json_build_object('findings', "
                    + "json_agg(json_build_object('kind', 'schema_missing', 'severity', 'problem', 'subject', 'c' || g || '.ix_' || g, "
                    + "'detail', 'org ' || org_id || ' lacks c' || g || '.ix_' || g, 'fix', 'tenantctl verify --org ' || org_id "
                    + "|| ' --fix', 'fix_note', null, 'fix_text', 'tenantctl verify --org ' || org_id || ' --fix') order by g)) "
                    + "from generate_series(1, " + EACH + ") g)::jsonb where run_id = '" + run + "'");
        }
        return run;
    }
}
