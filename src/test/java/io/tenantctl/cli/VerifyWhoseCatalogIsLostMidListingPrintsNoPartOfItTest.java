package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

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

    private final CheckedVerifyFleet fleet = new CheckedVerifyFleet(ORGS);
    private final FaultProxy catalogProxy = fleet.proxy;

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void aTextListingCutShortByALostCatalogPrintsNoneOfItAndSaysWhatFailed() throws Exception {
        String proxied = fleet.proxied;
        Cli cli = fleet.cli;

        // a first report of the fleet, whole: what its catalog traffic comes to, the read-back of the findings last
        long before = catalogProxy.bytes();
        Cli.Result whole = cli.run("verify", "--resume", fleet.checkedRun(EACH, 0));
        assertThat(whole.exitCode()).as(whole.toString()).isEqualTo(4);
        assertThat(whole.out()).contains("verified " + ORGS + " orgs: " + ORGS * EACH + " problems");
        long total = catalogProxy.bytes() - before;
        long readBack = bytesOfReadingTheFindings(proxied);

        // the same report again, the catalog lost (every connection cut) half-way through the read-back's second page
        String run = fleet.checkedRun(EACH, 0);
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
}
