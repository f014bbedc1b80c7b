package io.tenantctl.store;

import io.tenantctl.TenantctlException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** What says a store is full — its own writes' ENOSPC/EDQUOT, an S3 store's answer that it has no room — and what does not. */
class StoreFullExceptionTest {

    private static final String STORE = "file:///backups/";

    @Test
    void aWriteTheFileSystemHadNoRoomForIsAFullStore() {
        TenantctlException wrapped = new TenantctlException(TenantctlException.Category.FAILED, "backup abandoned",
                new IOException("/backups/acme/x/notes.ndjson.gz.tmp: No space left on device"));
        assertThat(StoreFullException.in(STORE, wrapped)).get().satisfies(f -> {
            assertThat(f.category().exitCode).isEqualTo(3);
            assertThat(f.getMessage()).isEqualTo("cannot write to file:///backups/: No space left on device; the store is full: "
                    + StoreFullException.REMEDY);
        });
        assertThat(StoreFullException.in(STORE, new IOException("Disk quota exceeded"))).isPresent();
    }

    @Test
    void anS3StoreThatSaysItHasNoRoomIsAFullStore() {
        S3Exception minio = (S3Exception) S3Exception.builder().statusCode(507)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("XMinioStorageFull").build()).build();
        S3Exception quota = (S3Exception) S3Exception.builder().statusCode(403)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("QuotaExceeded").build()).build();
        S3Exception denied = (S3Exception) S3Exception.builder().statusCode(403)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").build()).build();
        assertThat(StoreFullException.in("s3://b/", new TenantctlException(TenantctlException.Category.FAILED, "cannot upload", minio)))
                .get().extracting(Throwable::getMessage).asString().contains("XMinioStorageFull (HTTP 507)").contains("the store is full");
        assertThat(StoreFullException.in("s3://b/", quota)).isPresent();
        assertThat(StoreFullException.in("s3://b/", denied)).isEmpty();
    }

    @Test
    void aPoolsServerQuotingItsOwnFullDiskIsNotTheStores() {
        RuntimeException pool = new RuntimeException("Command failed with error 1 (InternalError): 'could not write to file"
                + " \"base/pgsql_tmp/x\": No space left on device'");
        assertThat(StoreFullException.in(STORE, pool)).isEmpty();
        assertThat(StoreFullException.in(pool)).as("nothing found earlier").isEmpty();
    }
}
