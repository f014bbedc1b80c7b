package io.tenantctl.store;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A multipart upload to AWS goes as S3 documents one with checksums: the algorithm named when the upload is created, each
 * part sent with it, each part's checksum in the completion. The SDK sends a CRC32 with every part by default
 * (requestChecksumCalculation WHEN_SUPPORTED, what tenantctl uses for AWS), and S3 refuses to complete an upload created
 * without an algorithm whose parts carry one ("one or more of the specified parts could not be found",
 * aws-sdk-java-v2#6518): every collection file larger than one part (8 MiB compressed) would fail at its last step, after
 * it was all uploaded. S3Proxy, the test stand-in, takes no SDK checksums, so this records what the store asks of the
 * client. A store for S3-compatible endpoints (checksums only when required) names none: such stores predate them.
 */
class S3MultipartChecksumsTest {

    /** A client that records the multipart requests and answers them as S3 does (a part's checksum echoed back). */
    private static final class Recording implements S3Client {
        final List<CreateMultipartUploadRequest> created = new ArrayList<>();
        final List<UploadPartRequest> parts = new ArrayList<>();
        final List<CompleteMultipartUploadRequest> completed = new ArrayList<>();

        @Override
        public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest r) {
            created.add(r);
            return CreateMultipartUploadResponse.builder().uploadId("u-1").build();
        }

        @Override
        public UploadPartResponse uploadPart(UploadPartRequest r, RequestBody body) {
            parts.add(r);
            return UploadPartResponse.builder().eTag("\"e" + r.partNumber() + "\"")
                    .checksumCRC32(r.checksumAlgorithm() == ChecksumAlgorithm.CRC32 ? "crc-" + r.partNumber() : null).build();
        }

        @Override
        public CompleteMultipartUploadResponse completeMultipartUpload(CompleteMultipartUploadRequest r) {
            completed.add(r);
            return CompleteMultipartUploadResponse.builder().build();
        }

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {
        }
    }

    private static Recording upload(S3Options options) throws Exception {
        Recording client = new Recording();
        try (S3ObjectStore store = new S3ObjectStore(options.withPartSize(S3Options.MIN_PART_SIZE), client);
             OutputStream out = store.create("acme/b1/messages.ndjson.zst")) {
            out.write(new byte[S3Options.MIN_PART_SIZE * 2 + 10]); // three parts
        }
        return client;
    }

    @Test
    void onAwsTheAlgorithmIsNamedAtCreateOnEveryPartAndInTheCompletion() throws Exception {
        Recording aws = upload(S3Options.of("backups", "prod"));

        assertThat(aws.created).singleElement().extracting(CreateMultipartUploadRequest::checksumAlgorithm)
                .isEqualTo(ChecksumAlgorithm.CRC32);
        assertThat(aws.parts).hasSize(3).allSatisfy(p -> assertThat(p.checksumAlgorithm()).isEqualTo(ChecksumAlgorithm.CRC32));
        assertThat(aws.completed).singleElement().satisfies(c -> assertThat(c.multipartUpload().parts())
                .extracting(CompletedPart::partNumber, CompletedPart::checksumCRC32)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "crc-1"), org.assertj.core.groups.Tuple.tuple(2, "crc-2"),
                        org.assertj.core.groups.Tuple.tuple(3, "crc-3")));
    }

    @Test
    void anS3CompatibleStoreIsAskedForNoChecksum() throws Exception {
        Recording compatible = upload(S3Options.compatible("backups", "prod", java.net.URI.create("http://127.0.0.1:9000")));

        assertThat(compatible.created).singleElement().extracting(CreateMultipartUploadRequest::checksumAlgorithm).isNull();
        assertThat(compatible.parts).hasSize(3).allSatisfy(p -> assertThat(p.checksumAlgorithm()).isNull());
        assertThat(compatible.completed).singleElement().satisfies(c -> assertThat(c.multipartUpload().parts())
                .extracting(CompletedPart::checksumCRC32).containsOnlyNulls());
    }
}
