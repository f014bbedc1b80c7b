package io.tenantctl.cli;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a DBA sets {@code default_transaction_isolation = serializable} on the catalog's database
 * (a house rule for every application's database). tenantctl's statements are written for read committed; under
 * serializable, a run's concurrent claims and records failed with SQL state 40001, said as "catalog … is busy (could not
 * serialize access …): another tenantctl holds what this needs" with no other tenantctl running: a provision of 40 orgs
 * stopped (exit 3), a backup failed orgs, a verify stopped. tenantctl's sessions use read committed whatever the default.
 */
class ACatalogWhoseDefaultIsolationIsSerializableTest {

    @Test
    void tenantctlsSessionsReadCommittedAndARunOfManyOrgsSucceeds() throws Exception {
        String url = TestCatalog.initialisedDatabase();
        String db = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        TestCatalog.execute(url, "alter database " + db + " set default_transaction_isolation = 'serializable'");
        try (Catalog catalog = Catalog.connect(url)) {
            String isolation = catalog.<String>inTransaction(c -> {
                try (var s = c.createStatement(); var rs = s.executeQuery("select current_setting('transaction_isolation')")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(isolation).isEqualTo("read committed");
        }
        try (TestPools pools = new TestPools(2)) {
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
            CliFixture.addPool(cli, "pool-1", pools.uri(1), 100, 1);
            List<String> ids = CliFixture.ids("ser-", 0, 40);
            Cli.Result r = cli.run(CliFixture.args(List.of("provision", "-o", "json"), ids));
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(CliFixture.orgIds(cli, "active")).containsExactlyInAnyOrderElementsOf(ids);
        }
    }
}
