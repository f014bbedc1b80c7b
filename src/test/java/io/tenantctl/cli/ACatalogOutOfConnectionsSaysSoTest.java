package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper that used up the catalog's max_connections (a connection leak elsewhere, a fleet of workers
 * at 3 a.m.): every command said "catalog unreachable at …: FATAL: sorry, too many clients already — check
 * TENANTCTL_CATALOG_URL and that PostgreSQL is running", sending the operator to a URL and a server that were fine. A
 * refusal for want of a free connection (SQL state 53300; here a role's connection limit, the same refusal) says what is
 * used up and what to do, still exit 3 in one line.
 */
class ACatalogOutOfConnectionsSaysSoTest {

    @Test
    void aCatalogWithNoFreeConnectionSaysItIsOutOfConnections() {
        String url = TestCatalog.initialisedDatabase();
        String role = "no_slots_" + ProcessHandle.current().pid();
        TestCatalog.execute(url, "create role " + role + " login connection limit 0");
        try {
            String asRole = url.replaceFirst("user=[^&]*", "user=" + role);
            assertThat(asRole).contains("user=" + role);
            Cli.Result r = Cli.withCatalog(asRole).run("orgs", "list");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
            assertThat(r.err()).as(r.toString()).contains("catalog unreachable at").contains("too many connections")
                    .contains("no connection left for tenantctl").contains("max_connections")
                    .doesNotContain("that PostgreSQL is running").doesNotContain("Exception");
        } finally {
            TestCatalog.execute(url, "drop role " + role);
        }
    }
}
