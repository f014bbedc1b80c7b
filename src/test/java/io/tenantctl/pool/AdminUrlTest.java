package io.tenantctl.pool;

import io.tenantctl.TenantctlException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A pool's admin URL follows the catalog URL's rules (PostgreSQL's driver decides what is a URL) with its own: the
 * password is a ${VAR}, resolved only when connecting.
 */
class AdminUrlTest {

    @Test
    void aHostWithAnUnderscoreAndAStandbyAreTakenAndThePasswordComesFromTheEnvironmentAsItIs() {
        AdminUrl url = AdminUrl.parse("postgres://monitor:${POOL1_PG_PASSWORD}@ferret_pg:5432,ferret_pg_2:5433/postgres?sslmode=require");
        assertThat(url.describe()).isEqualTo("ferret_pg:5432,ferret_pg_2:5433/postgres");

        AdminUrl.Resolved r = url.resolve("pool-1", Map.of("POOL1_PG_PASSWORD", "a+b/c@d%e f"));
        assertThat(r.jdbcUrl()).isEqualTo("jdbc:postgresql://ferret_pg:5432,ferret_pg_2:5433/postgres?sslmode=require");
        assertThat(r.user()).isEqualTo("monitor");
        assertThat(r.password()).isEqualTo("a+b/c@d%e f");
    }

    @Test
    void theJdbcSpellingMayCarryUserInfoHereAndNoDatabaseIsPostgres() {
        AdminUrl.Resolved r = AdminUrl.parse("jdbc:postgresql://monitor:${PW}@pg_1").resolve("pool-1", Map.of("PW", "x"));
        assertThat(r.jdbcUrl()).isEqualTo("jdbc:postgresql://pg_1/postgres");
        assertThat(r.user()).isEqualTo("monitor");
    }

    @Test
    void whatTheDriverWouldRefuseIsRefusedWhenTheUrlIsSet() {
        assertThatThrownBy(() -> AdminUrl.parse("postgres://monitor:${PW}@pg-1:99999/postgres"))
                .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE))
                .hasMessageContaining("admin URL").hasMessageContaining("port '99999' is not a number from 1 to 65535");
        assertThatThrownBy(() -> AdminUrl.parse("postgres://monitor:${PW}@/postgres"))
                .isInstanceOf(TenantctlException.class).hasMessageContaining("names no host");
    }

    /** A scheme is case-insensitive (RFC 3986): Postgres:// and JDBC:PostgreSQL:// were refused as "must start with postgres://". */
    @Test
    void theSchemeIsReadWhateverItsCaseAndAnInlinePasswordIsStillNotShown() {
        assertThat(AdminUrl.parse("Postgres://monitor:${PW}@pg_1:5432/postgres").resolve("pool-1", Map.of("PW", "x")).jdbcUrl())
                .isEqualTo("jdbc:postgresql://pg_1:5432/postgres");
        assertThat(AdminUrl.parse("JDBC:PostgreSQL://monitor:${PW}@pg_1").resolve("pool-1", Map.of("PW", "x")).jdbcUrl())
                .isEqualTo("jdbc:postgresql://pg_1/postgres");
        assertThatThrownBy(() -> AdminUrl.parse("POSTGRESQL://monitor:s3cretpw@pg_1/postgres"))
                .isInstanceOf(TenantctlException.class).hasMessageNotContaining("s3cretpw").hasMessageNotContaining("must start with");
    }
}
