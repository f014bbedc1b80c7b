package io.tenantctl.catalog;

import io.tenantctl.PostgresUrl;
import io.tenantctl.TenantctlException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a catalog URL becomes, and what is refused before any connection: every URL PostgreSQL's driver takes is taken
 * (a host name with '_', as docker-compose names services; a primary and its standbys), and every refusal is a usage
 * error that names what is wrong without quoting a password.
 */
class CatalogUrlTest {

    @Test
    void aHostNameWithAnUnderscoreIsTakenInBothForms() {
        PostgresUrl jdbc = CatalogUrl.parse("jdbc:postgresql://catalog_db:5433/tenants?user=ops");
        assertThat(jdbc.jdbcUrl()).isEqualTo("jdbc:postgresql://catalog_db:5433/tenants?user=ops");
        assertThat(jdbc.describe()).isEqualTo("catalog_db:5433/tenants");

        PostgresUrl pg = CatalogUrl.parse("postgres://ops:pw@catalog_db/tenants?sslmode=require");
        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://catalog_db/tenants?sslmode=require");
        assertThat(pg.describe()).isEqualTo("catalog_db:5432/tenants");
        assertThat(pg.user()).isEqualTo("ops");
        assertThat(pg.password()).isEqualTo("pw");
    }

    @Test
    void severalHostsAreHandedToTheDriverAndDescribedEach() {
        PostgresUrl jdbc = CatalogUrl.parse("jdbc:postgresql://pg-a:5432,pg-b:5433/tenants?targetServerType=primary");
        assertThat(jdbc.jdbcUrl()).isEqualTo("jdbc:postgresql://pg-a:5432,pg-b:5433/tenants?targetServerType=primary");
        assertThat(jdbc.describe()).isEqualTo("pg-a:5432,pg-b:5433/tenants");

        PostgresUrl pg = CatalogUrl.parse("postgresql://ops:pw@pg-a,pg-b:5433/tenants?targetServerType=primary");
        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://pg-a,pg-b:5433/tenants?targetServerType=primary");
        assertThat(pg.describe()).isEqualTo("pg-a:5432,pg-b:5433/tenants");
    }

    @Test
    void aPasswordIsDecodedAsAUrlSaysItAndAPlusStaysAPlus() {
        // generated passwords hold '+', '/', '@' and '%'; only percent-escapes are decoded, and '+' is not a space
        PostgresUrl url = CatalogUrl.parse("postgres://ops:a+b/c@d%25e%40f@pg-a:5432/tenants");
        assertThat(url.password()).isEqualTo("a+b/c@d%e@f");
        assertThat(url.describe()).isEqualTo("pg-a:5432/tenants");
    }

    @Test
    void noDatabaseInThePostgresFormIsPostgres() {
        assertThat(CatalogUrl.parse("postgres://pg-a").jdbcUrl()).isEqualTo("jdbc:postgresql://pg-a/postgres");
        assertThat(CatalogUrl.parse("postgres://ops:pw@pg-a:5432/?sslmode=require").jdbcUrl())
                .isEqualTo("jdbc:postgresql://pg-a:5432/postgres?sslmode=require");
        assertThat(CatalogUrl.parse("postgres://pg-a?sslmode=require").describe()).isEqualTo("pg-a:5432/postgres");
    }

    @Test
    void whatTheDriverWouldRefuseIsAUsageErrorThatSaysWhy() {
        String[][] cases = {
                {"postgres://ops:Hunter2pw@pg-a:99999/tenants", "port '99999' is not a number from 1 to 65535"},
                {"jdbc:postgresql://pg-a:5432x/tenants?password=Hunter2pw", "port '5432x'"},
                {"postgres://ops:Hunter2pw@pg-a:5432,pg-b:/tenants", "port ''"},
                {"jdbc:postgresql://pg-a:5432", "needs a '/' after its host and port"},
                {"jdbc:postgresql://pg-a/tenants?password=Hunter2pw&x=%zz", "holds a '%' not followed by two hex digits"},
                {"jdbc:postgresql://ops:Hunter2pw@pg-a/tenants", "the JDBC form does not take"},
                {"postgres://ops:Hunter2pw@/tenants", "names no host"},
                {"jdbc:postgresql:///tenants?password=Hunter2pw", "names no host"},
                {"postgres://ops:Hunter2pw@pg-a,,pg-b/tenants", "names no host in one of its places"},
                {"postgres://ops:Hunter2%zz@pg-a/tenants", "not percent-encoded"},
                // found by a probing helper: a JDBC option's password holding '@' was masked only up to that '@'
                {"jdbc:postgresql://pg-a:99999/tenants?user=ops&password=Hunter2@Sp3c", "port '99999'"},
                {"jdbc:postgresql://pg-a/tenants?user=ops&password=Hunter2@Sp3c%zz", "holds a '%' not followed by two hex digits"},
                {"jdbc:postgresql://pg-a:5432?user=ops&password=Hunter2@Sp3c", "needs a '/' after its host and port"},
                {"jdbc:postgresql://pg-a:99999/tenants?password=Hunter2@Sp3c:w/rd%?#x y", "port '99999'"}};
        for (String[] c : cases) {
            assertThatThrownBy(() -> CatalogUrl.parse(c[0])).as(c[0])
                    .isInstanceOfSatisfying(TenantctlException.class,
                            e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE))
                    .message().contains(c[1]).doesNotContain("Hunter2").doesNotContain("Sp3c");
        }
    }
}
