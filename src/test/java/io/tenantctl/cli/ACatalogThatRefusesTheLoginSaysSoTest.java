package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by an on-call audit of init and orgs list: a catalog that refused tenantctl's login (a role that does not exist,
 * a wrong or missing password: SQL state 28000/28P01) was said as "catalog unreachable at …: FATAL: role "x" does not
 * exist — check TENANTCTL_CATALOG_URL and that PostgreSQL is running", sending the operator to a server that answered.
 * It now says the catalog refused the login and that the user and password in the URL are what to check; exit 3, one line.
 */
class ACatalogThatRefusesTheLoginSaysSoTest {

    @Test
    void aCatalogThatRefusesTheRoleSaysItRefusedTheLoginNotThatItIsUnreachable() {
        String url = TestCatalog.initialisedDatabase().replaceFirst("user=[^&]*", "user=no_such_role_here");
        assertThat(url).contains("user=no_such_role_here");
        for (String verb : new String[] {"init", "orgs"}) {
            Cli.Result r = verb.equals("init") ? Cli.withCatalog(url).run("init") : Cli.withCatalog(url).run("orgs", "list", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
            assertThat(r.err()).as(r.toString()).contains("refused tenantctl's login").contains("no_such_role_here")
                    .contains("check the user and password in TENANTCTL_CATALOG_URL")
                    .doesNotContain("unreachable").doesNotContain("that PostgreSQL is running").doesNotContain("Exception");
        }
    }
}
