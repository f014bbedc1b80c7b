package io.tenantctl.catalog;

import io.tenantctl.TenantctlException;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: with idle_session_timeout set on the catalog's database, a run stopped saying "catalog
 * unreachable at …: FATAL: terminating connection due to idle-session timeout — check TENANTCTL_CATALOG_URL and that
 * PostgreSQL is running": both fine. The session the server ended for idleness (SQL state 57P05) says which setting to
 * change; still exit 3, still a lost connection that stops a run.
 */
class ASessionEndedByIdleSessionTimeoutSaysSoTest {

    @Test
    void theIdleSessionTimeoutIsNamedNotTheUrl() {
        try (Catalog catalog = Catalog.connect(TestCatalog.initialisedDatabase())) {
            RuntimeException e = catalog.failure(new SQLException("FATAL: terminating connection due to idle-session timeout", "57P05"));
            assertThat(e).isInstanceOf(Catalog.Unreachable.class);
            assertThat(((TenantctlException) e).category()).isEqualTo(TenantctlException.Category.CONFIG);
            assertThat(e.getMessage()).contains("idle-session timeout").contains("idle_session_timeout set on the role or database")
                    .doesNotContain("that PostgreSQL is running");
        }
    }
}
