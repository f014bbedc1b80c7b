package io.tenantctl.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantctl.TenantctlException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/** The contract against an in-process S3Proxy (transient in-memory backend) on a random local port. */
class S3ObjectStoreTest extends ObjectStoreContractTest {

    private static S3ProxyFixture s3;
    private static URI endpoint;

    private String bucket;

    @BeforeAll
    static void startS3Proxy() throws Exception {
        s3 = S3ProxyFixture.start();
        endpoint = s3.endpoint();
    }

    @AfterAll
    static void stopS3Proxy() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @Override
    protected ObjectStore newStore() {
        bucket = s3.newBucket();
        return newStore(S3Options.compatible(bucket, "backups/eu", endpoint));
    }

    private static S3ObjectStore newStore(S3Options options) {
        return new S3ObjectStore(options, s3.credentials());
    }

    @Test
    void opensFromAStoreUrlAndEnvironment() throws IOException {
        try (ObjectStore viaUrl = ObjectStores.open("s3://" + bucket + "/backups/eu/", s3.env())) {
            viaUrl.put("org/x", new byte[] {1, 2, 3});
        }
        assertThat(store.list("")).extracting(ObjectInfo::key, ObjectInfo::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("org/x", 3L));
    }

    @Test
    void streamsAnObjectLargerThanOnePartAsAMultipartUpload() throws Exception {
        int partSize = S3Options.MIN_PART_SIZE;
        long size = 12L * 1024 * 1024 + 12_345;
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        try (ObjectStore s3 = newStore(S3Options.compatible(bucket, "backups/eu", endpoint).withPartSize(partSize));
             OutputStream out = s3.create("org/b1/big.ndjson.zst")) {
            Random random = new Random(42);
            byte[] chunk = new byte[64 * 1024 + 3];
            for (long left = size; left > 0; ) {
                random.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                written.update(chunk, 0, n);
                left -= n;
            }
        }

        assertThat(store.list("org/")).singleElement().satisfies(info -> {
            assertThat(info.key()).isEqualTo("org/b1/big.ndjson.zst");
            assertThat(info.size()).isEqualTo(size);
        });
        try (InputStream in = store.open("org/b1/big.ndjson.zst")) {
            assertThat(sha256(in)).isEqualTo(HexFormat.of().formatHex(written.digest()));
        }
        // three parts of a multipart upload, not one PutObject
        try (S3Client client = S3ObjectStore.buildClient(((S3ObjectStore) store).options(),
                s3.credentials())) {
            String etag = client.headObject(r -> r.bucket(bucket).key("backups/eu/org/b1/big.ndjson.zst")).eTag();
            assertThat(etag).endsWith("-3\"");
        }
    }

    /**
     * S3 takes at most 10,000 parts: at a fixed 8 MiB a collection's file over 78 GiB failed only after uploading all of
     * them. Parts now grow (PartSchedule); here a small schedule of at most 2 parts, 5 MiB then 10 MiB (15 MiB, where 2
     * fixed parts of 5 MiB held 10 MiB; S3Proxy too refuses parts under 5 MiB but the last), takes 12 MiB, read back equal.
     */
    @Test
    void anObjectOverTheMostPartsOfTheFirstSizeCompletesInGrowingParts() throws Exception {
        byte[] data = new byte[12 * 1024 * 1024 + 12_345];
        new Random(7).nextBytes(data);
        try (S3ObjectStore s3 = newStore(S3Options.compatible(bucket, "backups/eu", endpoint))) {
            s3.partSchedule = new PartSchedule(S3Options.MIN_PART_SIZE, 1, 2 * S3Options.MIN_PART_SIZE, 2);
            try (OutputStream out = s3.create("org/b1/big.ndjson.zst")) {
                for (int off = 0; off < data.length; off += 64 * 1024 + 3) {
                    out.write(data, off, Math.min(64 * 1024 + 3, data.length - off));
                }
            }
        }
        try (InputStream in = store.open("org/b1/big.ndjson.zst")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        try (S3Client client = S3ObjectStore.buildClient(((S3ObjectStore) store).options(), s3.credentials())) {
            assertThat(client.headObject(r -> r.bucket(bucket).key("backups/eu/org/b1/big.ndjson.zst")).eTag()).endsWith("-2\"");
        }
    }

    @Test
    void abortAfterPartsWereSentLeavesNoObjectAndNoPendingUpload() throws IOException {
        S3Options options = S3Options.compatible(bucket, "backups/eu", endpoint).withPartSize(S3Options.MIN_PART_SIZE);
        try (S3ObjectStore s3 = newStore(options)) {
            ObjectStore.Upload upload = s3.create("org/b1/users.ndjson.gz");
            upload.write(new byte[S3Options.MIN_PART_SIZE + 1]); // forces part 1 out
            upload.abort();
        }
        assertThat(store.list("")).isEmpty();
        try (S3Client client = S3ObjectStore.buildClient(((S3ObjectStore) store).options(),
                s3.credentials())) {
            assertThat(client.listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
        }
    }

    @Test
    void keysAreStoredUnderTheConfiguredPrefixAndListedWithoutIt() throws IOException {
        store.put("org/manifest.json", new byte[3]);
        try (ObjectStore root = newStore(S3Options.compatible(bucket, "", endpoint))) {
            assertThat(root.list("")).extracting(ObjectInfo::key).containsExactly("backups/eu/org/manifest.json");
        }
        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("org/manifest.json");
        assertThat(store.describe()).isEqualTo("s3://" + bucket + "/backups/eu at " + endpoint);
    }

    @Test
    void missingBucketIsAConfigErrorNamingIt() {
        try (ObjectStore missing = newStore(S3Options.compatible("no-such-bucket", "", endpoint))) {
            assertThatThrownBy(() -> missing.list(""))
                    .isInstanceOfSatisfying(TenantctlException.class,
                            e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG))
                    .hasMessageContaining("no-such-bucket");
        }
    }

    @Test
    void wrongCredentialsAreAConfigErrorWithoutTheSecret() {
        S3Options options = S3Options.compatible(bucket, "", endpoint);
        try (ObjectStore wrong = new S3ObjectStore(options,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyFixture.ACCESS_KEY, "wrong-secret-value")))) {
            assertThatThrownBy(() -> wrong.list(""))
                    .isInstanceOfSatisfying(TenantctlException.class,
                            e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG))
                    .message().doesNotContain("wrong-secret-value");
        }
    }

    /**
     * A batch of prefixes is one paginated listing (a page that ends inside one is continued, one that ends between them
     * asks from the next, start-after), not a listing per prefix: a DR drill's adopt of a pool's hundreds of orgs asked
     * one LIST of each.
     */
    @Test
    void manyPrefixesAreListedInAsFewPagesAsTheirObjectsFillPlusOneAskPerGap() throws Exception {
        java.util.concurrent.atomic.AtomicInteger lists = new java.util.concurrent.atomic.AtomicInteger();
        try (S3ProxyFixture counted = S3ProxyFixture.start(real -> new org.jclouds.blobstore.util.ForwardingBlobStore(real) {
            @Override
            public org.jclouds.blobstore.domain.PageSet<? extends org.jclouds.blobstore.domain.StorageMetadata> list(
                    String container, org.jclouds.blobstore.options.ListContainerOptions options) {
                lists.incrementAndGet();
                return super.list(container, options);
            }
        }); S3ObjectStore paged = counted.newStore("backups/eu")) {
            for (int org = 0; org < 30; org++) {
                for (String file : new String[] {"b1/m", "b1/x", "b2/m"}) {
                    paged.put(String.format("org%02d/%s", org, file), bytes(1));
                }
            }
            java.util.List<String> prefixes = new java.util.ArrayList<>();
            for (int org = 3; org <= 10; org++) { // one run of 8 orgs, then two orgs alone: three gaps to ask past
                prefixes.add(String.format("org%02d/", org));
            }
            prefixes.addAll(java.util.List.of("org27/", "org20/"));
            java.util.List<String> expected = new java.util.ArrayList<>();
            prefixes.forEach(p -> paged.list(p).forEach(o -> expected.add(o.key())));

            paged.listPageKeys = 10;
            lists.set(0);
            java.util.List<String> listed = new java.util.ArrayList<>();
            paged.listEach(prefixes, o -> listed.add(o.key()));

            assertThat(listed).as("each object under the prefixes once").containsExactlyInAnyOrderElementsOf(expected);
            int pagesOfTheirOwn = (expected.size() + 9) / 10;
            assertThat(lists.get()).as("LIST calls for %s prefixes", prefixes.size()).isLessThanOrEqualTo(pagesOfTheirOwn + 3)
                    .isLessThan(prefixes.size());
        }
    }
}
