package io.tenantctl.pool;

import com.mongodb.MongoClientSettings;
import io.tenantctl.TenantctlException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A pool that accepts connections and never answers must fail the command, not block it: the driver's default socket
 * read timeout is none at all (NetworkFaultsTest shows a black-holed pool hanging provision for ever without this).
 */
class PoolClientsTimeoutTest {

    @Test
    void everyPoolClientHasAReadTimeoutUnlessItsUriSetsOne() {
        MongoClientSettings dflt = PoolClients.settings("mongodb://127.0.0.1:27017/", 3_000, PoolClients.DEFAULT_SOCKET_TIMEOUT_MILLIS);
        assertThat(dflt.getSocketSettings().getReadTimeout(TimeUnit.MILLISECONDS)).isEqualTo(60_000);
        assertThat(dflt.getSocketSettings().getConnectTimeout(TimeUnit.MILLISECONDS)).isEqualTo(3_000);
        assertThat(dflt.getClusterSettings().getServerSelectionTimeout(TimeUnit.MILLISECONDS)).isEqualTo(3_000);

        MongoClientSettings own = PoolClients.settings("mongodb://127.0.0.1:27017/?socketTimeoutMS=5000", 3_000, 60_000);
        assertThat(own.getSocketSettings().getReadTimeout(TimeUnit.MILLISECONDS)).as("the pool URI's socketTimeoutMS wins").isEqualTo(5_000);
    }

    /**
     * A probing helper found a pool URI's own appName (what the pool's server logs and audits connections by) replaced by
     * "tenantctl" without a word: the URI's is kept, "tenantctl" only where it gives none.
     */
    @Test
    void aPoolUrisOwnAppNameIsKept() {
        assertThat(PoolClients.settings("mongodb://127.0.0.1:27017/", 3_000, 60_000).getApplicationName()).isEqualTo("tenantctl");
        assertThat(PoolClients.settings("mongodb://127.0.0.1:27017/?appName=billing-cron&tls=false", 3_000, 60_000).getApplicationName())
                .isEqualTo("billing-cron");
    }

    @Test
    void timeoutsComeFromTheEnvironmentAndBadOnesAreRefused() {
        try (PoolClients c = new PoolClients(Map.of(PoolClients.SOCKET_TIMEOUT_ENV, "1500", PoolClients.CONNECT_TIMEOUT_ENV, "700"))) {
            assertThat(c).isNotNull();
        }
        assertThatThrownBy(() -> new PoolClients(Map.of(PoolClients.SOCKET_TIMEOUT_ENV, "soon")))
                .isInstanceOf(TenantctlException.class).hasMessageContaining(PoolClients.SOCKET_TIMEOUT_ENV);
    }
}
