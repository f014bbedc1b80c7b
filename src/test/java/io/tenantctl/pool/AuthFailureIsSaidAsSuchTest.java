package io.tenantctl.pool;

import com.mongodb.MongoCredential;
import com.mongodb.MongoSecurityException;
import io.tenantctl.TenantctlException;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A production pool's password is wrong (rotated in PostgreSQL, not in the Secret): the driver says only "Exception
 * authenticating MongoCredential{…}", the server's answer (FerretDB: code 18, AuthenticationFailed) in its cause. The
 * operator's line says it was the credentials, and why, not that the pool "is unreachable" with nothing after.
 */
class AuthFailureIsSaidAsSuchTest {

    @Test
    void describeSaysAuthenticationFailedWithTheServersAnswer() {
        MongoSecurityException e = new MongoSecurityException(
                MongoCredential.createScramSha256Credential("app", "admin", "hunter2hunter2".toCharArray()),
                "Exception authenticating MongoCredential{mechanism=SCRAM-SHA-256, userName='app', source='admin', password=<hidden>, "
                        + "mechanismProperties=<hidden>}",
                FerretErrorsTest.command(18, "AuthenticationFailed", "Authentication failed."));
        assertThat(FerretErrors.describe(e))
                .isEqualTo("authentication failed (user 'app', source admin, SCRAM-SHA-256): code 18 (AuthenticationFailed): Authentication failed.")
                .doesNotContain("hunter2");
        assertThat(FerretErrors.isRetryable(e)).isFalse();
        assertThat(FerretErrors.authenticationFailed(e)).isTrue();
        assertThat(FerretErrors.authenticationFailed(FerretErrorsTest.command(13, "Unauthorized", "not authorized"))).isFalse();
    }

    /**
     * A user the URI took from a ${VAR} is masked in the line (it goes to stdout and the catalog, which no stderr mask
     * reaches), in the server's answer too: a server that quotes the user it refused ("… for user \"…\"") named it.
     */
    @Test
    void aResolvedUserIsMaskedWhereverTheLineNamesIt() {
        String user = "SntR-ResolvedUser-3Qw";
        io.tenantctl.SecretValues.add(user, user); // as PoolUri.resolve keeps a value it put in a URI's user info
        MongoSecurityException e = new MongoSecurityException(
                MongoCredential.createScramSha256Credential(user, "admin", "hunter2hunter2".toCharArray()), "Exception authenticating",
                FerretErrorsTest.command(18, "AuthenticationFailed", "password authentication failed for user \"" + user + "\""));
        assertThat(FerretErrors.describe(e)).startsWith("authentication failed (user '***', source admin, SCRAM-SHA-256): code 18")
                .doesNotContain(user).doesNotContain(user.substring(0, 12));
    }

    @Test
    void aPoolThatRefusesTheCredentialsIsSaidToRefuseThemNamingTheVariables() {
        try (TestPools pools = new TestPools(1);
             PoolClients clients = new PoolClients(Map.of("POOL9_PASSWORD", "s3cr3t-rotated"))) {
            String uri = pools.uri(0).replace("mongodb://", "mongodb://app:${POOL9_PASSWORD}@") + "/?authSource=admin";
            assertThatThrownBy(() -> clients.ping("pool-9", uri))
                    .isInstanceOfSatisfying(TenantctlException.class, e -> {
                        assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG);
                        assertThat(e.getMessage())
                                .startsWith("pool pool-9 (" + uri + ") refused tenantctl's credentials: authentication failed (user 'app', source admin")
                                .contains("check ${POOL9_PASSWORD}")
                                .doesNotContain("unreachable").doesNotContain("MongoCredential").doesNotContain("s3cr3t").doesNotContain("\n");
                    });
        }
    }
}
