package io.tenantctl.pool;

import io.tenantctl.TenantctlException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A mongodb+srv:// pool whose SRV record cannot be looked up (a name mistyped, a resolver that does not know it) was
 * said as "timed out waiting for the server (Timed out while waiting for a server that matches
 * ReadPreferenceServerSelector{readPreference=primary})": the reason, the failed DNS lookup, was cut with the driver's
 * "Client view of cluster state". The line says the lookup failed, naming the record.
 */
class SrvLookupFailureIsSaidTest {

    @Test
    void aFailedSrvLookupIsTheReasonGiven() {
        try (PoolClients clients = new PoolClients(Map.of(), 500)) {
            assertThatThrownBy(() -> clients.ping("pool-s", "mongodb+srv://cluster0.example.invalid/"))
                    .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.getMessage())
                            .startsWith("pool pool-s (mongodb+srv://cluster0.example.invalid/) is unreachable: ")
                            .contains("_mongodb._tcp.cluster0.example.invalid")
                            .doesNotContain("ReadPreferenceServerSelector").doesNotContain("\n"));
        }
    }

    @Test
    void theDriversSrvResolutionExceptionIsKeptFromItsClientView() {
        String message = "Timed out while waiting for a server that matches ReadPreferenceServerSelector{readPreference=primary}. "
                + "Client view of cluster state is {type=UNKNOWN, srvResolutionException=com.mongodb.MongoConfigurationException: "
                + "Failed looking up SRV record for '_mongodb._tcp.cluster0.example.invalid'., servers=[]";
        assertThat(FerretErrors.describe(new com.mongodb.MongoTimeoutException(message)))
                .isEqualTo("timed out waiting for the server (DNS: Failed looking up SRV record for '_mongodb._tcp.cluster0.example.invalid'.)");
    }
}
