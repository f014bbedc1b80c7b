package io.tenantctl.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantctl.TenantctlException;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.sun.net.httpserver.HttpServer;

/**
 * Temporary credentials (AWS_SESSION_TOKEN: an assumed role's, SSO's) run out, typically in the middle of a long backup run;
 * S3 then answers every request 400 ExpiredToken ("The provided token has expired."), or InvalidToken / TokenRefreshRequired
 * for a token it cannot use. That is the store refusing access, as a 403 is: CONFIG (exit 3; a run stops there, resumable),
 * not an org's failure (exit 1) repeated for every org left, and the message says to renew the credentials.
 */
class S3ExpiredCredentialsTest {

    @ParameterizedTest
    @CsvSource({"ExpiredToken,The provided token has expired.", "InvalidToken,The provided token is malformed or otherwise invalid.",
            "TokenRefreshRequired,The provided token must be refreshed."})
    void aSessionTokenS3CannotUseIsAConfigErrorSayingToRenewIt(String code, String message) throws Exception {
        HttpServer aws = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        aws.createContext("/", x -> {
            x.getRequestBody().readAllBytes();
            byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                    + "</Message><Token-0>FwoGZXIvYXdzEXAMPLE</Token-0><RequestId>0A1B</RequestId><HostId>x</HostId></Error>")
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/xml");
            x.sendResponseHeaders(400, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        aws.start();
        try (ObjectStore store = ObjectStores.open("s3://fleet-backups/prod", Map.of("TENANTCTL_S3_ENDPOINT",
                "http://127.0.0.1:" + aws.getAddress().getPort(), "AWS_ACCESS_KEY_ID", "ASIAEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "expired-secret-Kq2", "AWS_SESSION_TOKEN", "session-token-Wz8"))) {
            assertThatThrownBy(() -> store.list("acme/"))
                    .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG))
                    .hasMessageContaining(code).hasMessageContaining("renew")
                    .message().doesNotContain("expired-secret-Kq2").doesNotContain("session-token-Wz8");
            assertThatThrownBy(() -> store.put("acme/20250101T000000Z-abc123/manifest.json", new byte[] {1}))
                    .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG));
        } finally {
            aws.stop(0);
        }
    }
}
