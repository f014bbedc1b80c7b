package io.tenantctl.catalog;

import io.tenantctl.TenantctlException;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Found by probing: a catalog URL whose parameter the driver reads as a number only once connected ({@code
 * socketTimeout=abc}) said "catalog unreachable at …: For input string: "abc"", exit 3, sending the operator to check
 * that PostgreSQL runs. It is the URL that is wrong: a usage error (exit 2) saying so.
 */
class CatalogUrlParameterTest {

    @Test
    void aParameterTheDriverCannotReadIsAUsageErrorNotAnUnreachableCatalog() {
        String url = TestCatalog.initialisedDatabase();
        String bad = url + (url.contains("?") ? "&" : "?") + "socketTimeout=abc";
        TenantctlException e = catchThrowableOfType(() -> Catalog.connect(bad).close(), TenantctlException.class);
        assertThat(e).isNotNull();
        assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE);
        assertThat(e.getMessage()).contains("cannot read as a number").contains("socketTimeout must be a whole number")
                .doesNotContain("For input string").doesNotContain("unreachable");
    }

    /** {@code sslmode=bogus} is refused by the driver before it connects: the URL's fault too, not "catalog unreachable". */
    @Test
    void aParameterValueTheDriverRefusesIsAUsageError() {
        String url = TestCatalog.initialisedDatabase();
        String bad = url + (url.contains("?") ? "&" : "?") + "sslmode=bogus";
        TenantctlException e = catchThrowableOfType(() -> Catalog.connect(bad).close(), TenantctlException.class);
        assertThat(e).isNotNull();
        assertThat(e.category()).as(e.getMessage()).isEqualTo(TenantctlException.Category.USAGE);
        assertThat(e.getMessage()).contains("Invalid sslmode value: bogus").doesNotContain("unreachable");
    }

    /**
     * Found by probing: the same URL with a catalog that does not answer ({@code 127.0.0.1:1}) failed to connect before
     * the driver read the parameter, so it said "catalog unreachable", exit 3, and the operator checked the network for a
     * value that is wrong whatever the network does. The driver's numbers are checked before connecting: exit 2 naming
     * the parameter and where the URL was given, never the password; what the driver does read (a fractional
     * loginTimeout) is left to the connection, exit 3.
     */
    @Test
    void aNumberTheDriverCannotReadIsAUsageErrorEvenWhenTheCatalogDoesNotAnswer() {
        String[][] cases = {{"socketTimeout=abc", "socketTimeout must be a whole number"},
                {"connectTimeout=5s", "connectTimeout must be a whole number"},
                {"loginTimeout=soon", "loginTimeout must be a number"},
                {"sslmode=bogus", "Invalid sslmode value: bogus"}};
        for (String[] c : cases) {
            Cli cli = new Cli(Map.of("USER", "test",
                    "TENANTCTL_CATALOG_URL", "postgres://ops:Hunter2Sekrit@127.0.0.1:1/db?ApplicationName=x&" + c[0]));
            Cli.Result text = cli.run("orgs", "list");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(2);
            assertThat(text.err().strip()).as(text.toString()).doesNotContain("\n").contains(c[1])
                    .contains("TENANTCTL_CATALOG_URL").doesNotContain("Hunter2").doesNotContain("unreachable");
            Cli.Result json = cli.run("orgs", "list", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(2);
            assertThat(json.json().get("error").get("message").asText()).contains(c[1]);
        }
        Cli.Result read = new Cli(Map.of("USER", "test",
                "TENANTCTL_CATALOG_URL", "postgres://ops:Hunter2Sekrit@127.0.0.1:1/db?loginTimeout=2.5&socketTimeout=30")).run("orgs", "list");
        assertThat(read.exitCode()).as(read.toString()).isEqualTo(3);
        assertThat(read.err()).contains("unreachable").doesNotContain("Hunter2");
    }
}
