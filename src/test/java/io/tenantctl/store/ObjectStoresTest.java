package io.tenantctl.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantctl.TenantctlException;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoresTest {

    @Test
    void fileUrlOpensADirectoryStore(@TempDir Path dir) {
        try (ObjectStore store = ObjectStores.open(dir.toUri().toString(), Map.of())) {
            assertThat(store).isInstanceOf(FileObjectStore.class);
            assertThat(((FileObjectStore) store).root()).isEqualTo(dir.toAbsolutePath().normalize());
        }
    }

    @Test
    void s3UrlWithEndpointDefaultsToPathStyleAndUsEast1() {
        S3Options o = ObjectStores.parseS3("s3://my-bucket/backups/prod/", Map.of(
                "TENANTCTL_S3_ENDPOINT", "http://minio:9000",
                "TENANTCTL_S3_CHECKSUMS", "when_required",
                "TENANTCTL_S3_SSE", "AES256"));
        assertThat(o).isEqualTo(new S3Options("my-bucket", "backups/prod", URI.create("http://minio:9000"), true,
                "us-east-1", "AES256", true, S3Options.DEFAULT_PART_SIZE));
    }

    @Test
    void s3UrlOnAwsTakesRegionFromTheEnvironment() {
        S3Options o = ObjectStores.parseS3("s3://my-bucket", Map.of("AWS_REGION", "eu-west-1",
                "TENANTCTL_S3_PART_SIZE_MIB", "16"));
        assertThat(o).isEqualTo(new S3Options("my-bucket", "", null, false, "eu-west-1", null, false, 16 << 20));
        S3Options explicit = ObjectStores.parseS3("s3://my-bucket/p", Map.of("AWS_REGION", "eu-west-1",
                "TENANTCTL_S3_REGION", "us-west-2", "TENANTCTL_S3_ENDPOINT", "https://s3.example",
                "TENANTCTL_S3_PATH_STYLE", "false"));
        assertThat(explicit.region()).isEqualTo("us-west-2");
        assertThat(explicit.pathStyle()).isFalse();
        assertThat(explicit.checksumsWhenRequired()).as("endpoint implies when_required").isTrue();
        assertThat(ObjectStores.parseS3("s3://my-bucket/p", Map.of("TENANTCTL_S3_ENDPOINT", "https://s3.example",
                "TENANTCTL_S3_CHECKSUMS", "when_supported")).checksumsWhenRequired()).isFalse();
    }

    /**
     * The SDK follows AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL) by itself: an S3-compatible store named that way was
     * reached without path-style or its checksums (virtual-host names MinIO does not resolve, checksums it refuses) and
     * left out of every message. They are the endpoint, after TENANTCTL_S3_ENDPOINT; a bad one is named as what it is.
     */
    @Test
    void theAwsEndpointVariablesAreTheEndpointAfterTenantctlsOwn() {
        S3Options minio = ObjectStores.parseS3("s3://my-bucket/p", Map.of("AWS_ENDPOINT_URL_S3", "http://minio:9000",
                "AWS_ENDPOINT_URL", "http://other:9000"));
        assertThat(minio.endpointOverride()).isEqualTo(URI.create("http://minio:9000"));
        assertThat(minio.pathStyle()).isTrue();
        assertThat(minio.checksumsWhenRequired()).isTrue();
        assertThat(ObjectStores.parseS3("s3://my-bucket/p", Map.of("AWS_ENDPOINT_URL", "http://other:9000")).endpointOverride())
                .isEqualTo(URI.create("http://other:9000"));
        assertThat(ObjectStores.parseS3("s3://my-bucket/p", Map.of("TENANTCTL_S3_ENDPOINT", "https://s3.example",
                "AWS_ENDPOINT_URL_S3", "http://minio:9000")).endpointOverride()).isEqualTo(URI.create("https://s3.example"));
        assertThatThrownBy(() -> ObjectStores.parseS3("s3://my-bucket/p", Map.of("AWS_ENDPOINT_URL_S3", "minio:9000")))
                .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE))
                .hasMessageContaining("invalid AWS_ENDPOINT_URL_S3 'minio:9000'");
    }

    @Test
    void badUrlsAreUsageErrorsNamingTheValue() {
        for (String bad : new String[] {"s3://ab/x", "s3://Bad_Bucket", "gs://bucket/x", "file:relative/dir",
                "file://host/dir", "s3://"}) {
            assertThatThrownBy(() -> ObjectStores.open(bad, Map.of())).as(bad)
                    .isInstanceOfSatisfying(TenantctlException.class,
                            e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE))
                    .hasMessageContaining(bad);
        }
        assertThatThrownBy(() -> ObjectStores.open(null, Map.of())).hasMessageContaining("TENANTCTL_STORE");
    }

    @Test
    void credentialsInAUrlAreRefusedWithoutBeingEchoed() {
        assertThatThrownBy(() -> ObjectStores.open("s3://AKIAX:supersecret@bucket/x", Map.of()))
                .isInstanceOf(TenantctlException.class)
                .message().doesNotContain("supersecret").contains("***@bucket/x");
        assertThatThrownBy(() -> ObjectStores.open("s3://bucket/x",
                Map.of("TENANTCTL_S3_ENDPOINT", "http://user:supersecret@minio:9000")))
                .isInstanceOf(TenantctlException.class)
                .message().doesNotContain("supersecret").contains("TENANTCTL_S3_ENDPOINT");
    }

    @Test
    void aQueryOrFragmentPastedIntoAStoreUrlIsRefusedWithoutBeingEchoed() {
        // what an SDK-style or presigned URL carries after '?': refused (a store URL takes no query), never quoted
        for (String[] c : new String[][]{
                {"s3://bucket/backups?secretKey=supersecret", "s3://bucket/backups?***"},
                {"s3://bucket/backups#X-Amz-Signature=supersecret", "s3://bucket/backups#***"},
                {"s3://bucket/x?token=super@secret", "s3://***"}, // an '@' after the '?': which part is the secret?
                {"s3://AKIAX:super?secret@bucket/x", "s3://***"},
                {"file:///var/backups?X-Amz-Security-Token=supersecret", "file:///var/backups?***"}}) {
            assertThatThrownBy(() -> ObjectStores.open(c[0], Map.of()))
                    .isInstanceOfSatisfying(TenantctlException.class,
                            e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE))
                    .message().doesNotContain("secret").contains("'" + c[1] + "'");
        }
        assertThatThrownBy(() -> ObjectStores.open("s3://bucket/x",
                Map.of("TENANTCTL_S3_ENDPOINT", "minio:9000/?X-Amz-Signature=supersecret")))
                .message().doesNotContain("supersecret").contains("'minio:9000/?***'");
    }

    @Test
    void badSettingsAreUsageErrors() {
        for (var env : new Map[] {Map.of("TENANTCTL_S3_CHECKSUMS", "sometimes"),
                Map.of("TENANTCTL_S3_PATH_STYLE", "maybe"), Map.of("TENANTCTL_S3_PART_SIZE_MIB", "1"),
                // S3 refuses any other value of x-amz-server-side-encryption at the first upload, after an org's whole
                // database was read, and again for every org: a typo is a usage error before any work
                Map.of("TENANTCTL_S3_SSE", "AES-256"), Map.of("TENANTCTL_S3_SSE", "kms")}) {
            @SuppressWarnings("unchecked")
            Map<String, String> e = env;
            assertThatThrownBy(() -> ObjectStores.parseS3("s3://bucket/x", e)).as(env.toString())
                    .isInstanceOfSatisfying(TenantctlException.class,
                            ex -> assertThat(ex.category()).isEqualTo(TenantctlException.Category.USAGE))
                    .hasMessageContaining(e.values().iterator().next());
        }
    }

    @Test
    void serverSideEncryptionTakesS3sValuesInAnyCase() {
        assertThat(ObjectStores.parseS3("s3://bucket/x", Map.of("TENANTCTL_S3_SSE", "AES256")).sse()).isEqualTo("AES256");
        assertThat(ObjectStores.parseS3("s3://bucket/x", Map.of("TENANTCTL_S3_SSE", "aes256")).sse()).isEqualTo("AES256");
        assertThat(ObjectStores.parseS3("s3://bucket/x", Map.of("TENANTCTL_S3_SSE", "aws:kms")).sse()).isEqualTo("aws:kms");
        assertThat(ObjectStores.parseS3("s3://bucket/x", Map.of("TENANTCTL_S3_SSE", "aws:kms:dsse")).sse()).isEqualTo("aws:kms:dsse");
    }
}
