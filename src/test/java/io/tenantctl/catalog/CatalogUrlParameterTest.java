package io.tenantctl.catalog;

import io.tenantctl.TenantctlException;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;

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
        assertThat(e.getMessage()).contains("cannot read as a number").contains("socketTimeout must be a number")
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
}
