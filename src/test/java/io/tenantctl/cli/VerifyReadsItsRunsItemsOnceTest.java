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
 * Found by a review of verify: reporting a run read every run item (each org's recorded detail, its findings) back from
 * the catalog twice — once to judge which orgs have a problem, once to record their findings — though the outcome of a
 * reported org is judged again from the findings recorded (acks too). A fleet's items are megabytes: verify reads them
 * once. (The run engine's report of the run reads them too, detail and all, and drops the detail: a read of its own.)
 */
class VerifyReadsItsRunsItemsOnceTest {

    private static final int ORGS = 2;
    private static final int PADDING = 300_000; // what an org's run item carries besides its findings, in characters

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
    void reportingARunReadsItsItemsFromTheCatalogOnce() throws Exception {
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

        String slim = checkedRun(url, cli, 0);
        long slimTraffic = report(cli, slim);
        String padded = checkedRun(url, cli, PADDING);
        long paddedTraffic = report(cli, padded);
        long oneRead = bytesOfReadingItems(proxied, padded) - bytesOfReadingItems(proxied, slim);

        assertThat(oneRead).as("a read of the padded run's items").isGreaterThanOrEqualTo((long) ORGS * PADDING);
        double reads = (double) (paddedTraffic - slimTraffic) / oneRead;
        // once by the engine's report of the run, once by verify to record the findings they hold
        assertThat(reads).as("the padded run's items read from the catalog %.2f times", reads).isLessThan(2.5);
    }

    /** The catalog traffic of reporting {@code run} (its fleet checks, its findings recorded and listed), in bytes. */
    private long report(Cli cli, String run) {
        long before = catalogProxy.bytes();
        Cli.Result r = cli.run("verify", "--resume", run);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        assertThat(r.out()).contains("verified " + ORGS + " org(s): " + ORGS + " problem(s)");
        return catalogProxy.bytes() - before;
    }

    /** The bytes one read of {@code run}'s items (each org's detail) takes through the proxy. */
    private long bytesOfReadingItems(String proxied, String run) throws Exception {
        try (Connection c = DriverManager.getConnection(proxied); Statement s = c.createStatement()) {
            long before = catalogProxy.bytes(); // after the connection's start-up, whose length varies by a few bytes a time
            try (ResultSet rs = s.executeQuery("select org_id, status, attempts, millis, error, pool_id, detail from run_items where run_id = '"
                    + run + "' order by org_id")) {
                while (rs.next()) {
                    rs.getString("detail");
                }
            }
            return catalogProxy.bytes() - before;
        }
    }

    /**
     * A detached verify run of the orgs whose every org's check recorded one missing index (the same finding each run) and
     * {@code padding} characters besides, as a worker leaves it.
     */
    private static String checkedRun(String url, Cli cli, int padding) throws Exception {
        String run = strictJson(ok(cli, "verify", "--detach", "-o", "json")).get("run_id").asText();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("update run_items set status = 'succeeded', attempts = 1, millis = 5, detail = json_build_object('findings', "
                    + "json_build_array(json_build_object('kind', 'schema_missing', 'severity', 'problem', 'subject', 'c.ix', "
                    + "'detail', 'org ' || org_id || ' lacks c.ix', 'fix', 'tenantctl verify --org ' || org_id || ' --fix', 'fix_note', "
                    + "null, 'fix_text', 'tenantctl verify --org ' || org_id || ' --fix')), 'note', repeat('x', " + padding + "))::jsonb "
                    + "where run_id = '" + run + "'");
        }
        return run;
    }
}
