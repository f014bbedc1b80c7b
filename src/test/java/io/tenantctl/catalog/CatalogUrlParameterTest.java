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
        assertThat(e.getMessage()).contains("cannot read as a number").contains("abc").doesNotContain("unreachable");
    }
}
