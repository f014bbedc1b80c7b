package io.tenantctl.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantctl.TenantctlException;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A bucket in another region than the one configured (AWS_REGION left at us-east-1, the bucket in eu-west-1) is answered
 * by AWS with 301 PermanentRedirect (HEAD: a 301 without a body) naming the bucket's region in {@code x-amz-bucket-region},
 * or with 400 AuthorizationHeaderMalformed "the region 'us-east-1' is wrong; expecting 'eu-west-1'". Either is the
 * store's configuration, not an org's failure: exit 3 naming the region to set, as for a wrong bucket or wrong credentials.
 */
class S3BucketInAnotherRegionTest {

    private HttpServer aws;

    @BeforeEach
    void start() throws Exception {
        aws = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        aws.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            boolean malformed = exchange.getRequestURI().getPath().startsWith("/malformed");
            exchange.getResponseHeaders().add("x-amz-request-id", "0A1B2C3D");
            if (!malformed) {
                exchange.getResponseHeaders().add("x-amz-bucket-region", "eu-west-1");
            }
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            String body = malformed
                    ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AuthorizationHeaderMalformed</Code><Message>The "
                    + "authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message>"
                    + "<Region>eu-west-1</Region><RequestId>0A1B2C3D</RequestId><HostId>x</HostId></Error>"
                    : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PermanentRedirect</Code><Message>The bucket you are "
                    + "attempting to access must be addressed using the specified endpoint. Please send all future requests to "
                    + "this endpoint.</Message><Endpoint>backups-eu.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>backups-eu</Bucket>"
                    + "<RequestId>0A1B2C3D</RequestId><HostId>x</HostId></Error>";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(malformed ? 400 : 301, -1);
            } else {
                exchange.sendResponseHeaders(malformed ? 400 : 301, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        aws.start();
    }

    @AfterEach
    void stop() {
        aws.stop(0);
    }

    private S3ObjectStore store(String bucket) {
        URI endpoint = URI.create("http://127.0.0.1:" + aws.getAddress().getPort());
        S3Options options = new S3Options(bucket, "fleet", endpoint, true, "us-east-1", null, true, 0);
        return new S3ObjectStore(options, StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "region-secret-xyz")));
    }

    @Test
    void aPermanentRedirectIsAConfigErrorNamingTheBucketsRegion() {
        try (S3ObjectStore store = store("backups-eu")) {
            assertThatThrownBy(() -> store.list("acme/"))
                    .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG))
                    .hasMessageContaining("bucket backups-eu is in region eu-west-1, not us-east-1").hasMessageContaining("TENANTCTL_S3_REGION=eu-west-1")
                    .message().doesNotContain("region-secret-xyz");
            assertThatThrownBy(() -> store.exists("acme/20250101T000000Z-abc123/manifest.json"))
                    .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG))
                    .hasMessageContaining("eu-west-1");
        }
    }

    @Test
    void aRegionTheSignatureGotWrongIsAConfigErrorNamingTheBucketsRegion() {
        try (S3ObjectStore store = store("malformed")) {
            assertThatThrownBy(() -> store.list(""))
                    .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG))
                    .hasMessageContaining("eu-west-1").hasMessageContaining("TENANTCTL_S3_REGION");
        }
    }
}
