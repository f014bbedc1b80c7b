package io.tenantctl.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * S3 documents DeleteObjects as requiring Content-MD5, and S3-compatible stores enforce it (MinIO before its 2025 checksum
 * support, Ceph RGW, Backblaze B2, GCS...: 400 MissingContentMD5 or InvalidRequest), while aws-sdk-s3 since 2.30 sends a
 * CRC32 checksum instead, even with checksums {@code WHEN_REQUIRED}. S3Proxy does not check (gaul/s3proxy#385), so the
 * stand-in here is a local endpoint answering a listing and a batch delete as such a store does. An S3-compatible store
 * ({@code when_required} checksums, the default with TENANTCTL_S3_ENDPOINT) must send Content-MD5, or every prune and every
 * cleanup of a failed backup fails there. The same stand-in answers as some such stores do for a key gone since it was
 * listed (NoSuchKey, where S3 counts it deleted): deleting a missing key is not an error.
 */
class S3BatchDeleteNeedsContentMd5Test {

    private HttpServer server;
    private final List<String> deleted = new ArrayList<>();
    private volatile boolean goneSinceListed;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange x) throws java.io.IOException {
        byte[] body = x.getRequestBody().readAllBytes();
        String query = x.getRequestURI().getRawQuery() == null ? "" : x.getRequestURI().getRawQuery();
        String xml;
        int status = 200;
        if (x.getRequestMethod().equals("POST") && query.startsWith("delete")) {
            String md5 = x.getRequestHeaders().getFirst("Content-MD5");
            String actual;
            try {
                actual = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            if (md5 == null) {
                status = 400;
                xml = "<Error><Code>MissingContentMD5</Code><Message>Missing required header for this request: Content-Md5.</Message></Error>";
            } else if (!md5.equals(actual)) {
                status = 400;
                xml = "<Error><Code>InvalidDigest</Code><Message>The Content-Md5 you specified is not valid.</Message></Error>";
            } else {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("<Key>([^<]*)</Key>").matcher(new String(body, StandardCharsets.UTF_8));
                while (m.find()) {
                    synchronized (deleted) {
                        deleted.add(m.group(1));
                    }
                }
                // a key gone since it was listed (a lifecycle rule expired it, another cleanup deleted it): S3 counts it
                // deleted, some S3-compatible stores (MinIO once, versitygw) report NoSuchKey for it
                xml = "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + (goneSinceListed
                        ? "<Error><Key>prod/acme/20250101T000000Z-abc123/users.ndjson.zst</Key><Code>NoSuchKey</Code>"
                        + "<Message>The specified key does not exist.</Message></Error>" : "") + "</DeleteResult>";
            }
        } else if (query.contains("uploads")) {
            xml = "<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>fleet-backups</Bucket>"
                    + "<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>";
        } else if (query.contains("list-type=2")) {
            StringBuilder sb = new StringBuilder("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>fleet-backups</Name>"
                    + "<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>");
            for (String key : List.of("prod/acme/20250101T000000Z-abc123/users.ndjson.zst", "prod/acme/20250101T000000Z-abc123/manifest.json")) {
                sb.append("<Contents><Key>").append(key).append("</Key><LastModified>2025-01-01T00:00:00.000Z</LastModified>")
                        .append("<ETag>\"0\"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>");
            }
            xml = sb.append("</ListBucketResult>").toString();
        } else {
            status = 501;
            xml = "<Error><Code>NotImplemented</Code><Message>not in this stand-in</Message></Error>";
        }
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/xml");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    @Test
    void aBatchDeleteOnAnS3CompatibleStoreCarriesContentMd5() {
        URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        try (S3ObjectStore store = (S3ObjectStore) ObjectStores.open("s3://fleet-backups/prod", java.util.Map.of(
                "TENANTCTL_S3_ENDPOINT", endpoint.toString(), "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", "md5-secret"))) {
            assertThat(store.deletePrefix("acme/20250101T000000Z-abc123/")).isEqualTo(2);
        }
        assertThat(deleted).containsExactlyInAnyOrder("prod/acme/20250101T000000Z-abc123/users.ndjson.zst",
                "prod/acme/20250101T000000Z-abc123/manifest.json");
    }

    @Test
    void aKeyGoneSinceItWasListedIsDeletedNotAFailure() {
        goneSinceListed = true;
        URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        try (S3ObjectStore store = (S3ObjectStore) ObjectStores.open("s3://fleet-backups/prod", java.util.Map.of(
                "TENANTCTL_S3_ENDPOINT", endpoint.toString(), "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", "md5-secret"))) {
            assertThat(store.deletePrefix("acme/20250101T000000Z-abc123/")).isEqualTo(2);
        }
    }
}
