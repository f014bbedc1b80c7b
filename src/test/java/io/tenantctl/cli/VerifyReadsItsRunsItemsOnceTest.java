package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a review of verify: reporting a run read every run item (each org's recorded detail, its findings) back from
 * the catalog twice — once to judge which orgs have a problem, once to record their findings — though the outcome of a
 * reported org is judged again from the findings recorded (acks too). A fleet's items are megabytes: verify reads them
 * once. The run engine's report of the run, whose lines verify asks without their detail, reads no detail either: it
 * read every item's detail and dropped it, a second read of the fleet's findings.
 */
class VerifyReadsItsRunsItemsOnceTest {

    private static final int ORGS = 2;
    private static final int PADDING = 300_000; // what an org's run item carries besides its findings, in characters

    private FaultProxy catalogProxy;

    @Test
    void reportingARunReadsItsItemsFromTheCatalogOnce() throws Exception {
        try (CheckedVerifyFleet fleet = new CheckedVerifyFleet(ORGS)) {
            catalogProxy = fleet.proxy;
            String slim = fleet.checkedRun(1, 0);
            long slimTraffic = report(fleet.cli, slim);
            String padded = fleet.checkedRun(1, PADDING);
            long paddedTraffic = report(fleet.cli, padded);
            long oneRead = bytesOfReadingItems(fleet.proxied, padded) - bytesOfReadingItems(fleet.proxied, slim);

            assertThat(oneRead).as("a read of the padded run's items").isGreaterThanOrEqualTo((long) ORGS * PADDING);
            double reads = (double) (paddedTraffic - slimTraffic) / oneRead;
            // once, by verify to record the findings they hold: the engine's report of the run reads no detail
            assertThat(reads).as("the padded run's items read from the catalog %.2f times", reads).isLessThan(1.5);
        }
    }

    /** The catalog traffic of reporting {@code run} (its fleet checks, its findings recorded and listed), in bytes. */
    private long report(Cli cli, String run) {
        long before = catalogProxy.bytes();
        Cli.Result r = cli.run("verify", "--resume", run);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        assertThat(r.out()).contains("verified " + ORGS + " orgs: " + ORGS + " problems");
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
}
