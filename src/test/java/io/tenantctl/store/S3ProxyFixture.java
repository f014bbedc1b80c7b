package io.tenantctl.store;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * An in-process S3Proxy with a transient (in-memory) backend on 127.0.0.1 and a random port, for tests of
 * anything that writes to S3. Start one per test class; {@link #newBucket()} gives each test its own bucket.
 */
public final class S3ProxyFixture implements AutoCloseable {

    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret-not-real";

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private final BlobStoreContext context;
    private final String accessKey;
    private final String secretKey;
    private final S3Proxy proxy;
    private final URI endpoint;

    private S3ProxyFixture(BlobStoreContext context, S3Proxy proxy, String accessKey, String secretKey) {
        this.context = context;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.proxy = proxy;
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Starts S3Proxy; close it when done. */
    public static S3ProxyFixture start() throws Exception {
        return start(ACCESS_KEY, SECRET_KEY);
    }

    /** Starts S3Proxy accepting exactly these credentials (tests that hunt for leaked secrets use sentinels). */
    public static S3ProxyFixture start(String accessKey, String secretKey) throws Exception {
        return start(accessKey, secretKey, java.util.function.UnaryOperator.identity());
    }

    /**
     * Starts S3Proxy serving through {@code decorate}'s blob store (the in-memory one passed on): a test's
     * {@link org.jclouds.blobstore.util.ForwardingBlobStore} answers a call as S3 would fail it (a jclouds
     * {@code AuthorizationException}: 403 AccessDenied; an {@code HttpResponseException} carrying a 503 response: that).
     */
    public static S3ProxyFixture start(java.util.function.UnaryOperator<org.jclouds.blobstore.BlobStore> decorate) throws Exception {
        return start(ACCESS_KEY, SECRET_KEY, decorate);
    }

    private static S3ProxyFixture start(String accessKey, String secretKey,
                                        java.util.function.UnaryOperator<org.jclouds.blobstore.BlobStore> decorate) throws Exception {
        BlobStoreContext context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(decorate.apply(context.getBlobStore()))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        proxy.start();
        return new S3ProxyFixture(context, proxy, accessKey, secretKey);
    }

    /** http://127.0.0.1:port */
    public URI endpoint() {
        return endpoint;
    }

    /** Credentials S3Proxy accepts. */
    public AwsCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }

    /** Creates a new empty bucket and returns its name. */
    public String newBucket() {
        String bucket = "tenantctl-test-" + BUCKETS.incrementAndGet();
        context.getBlobStore().createContainerInLocation(null, bucket);
        return bucket;
    }

    /** Options for an S3-compatible store on this proxy. */
    public S3Options options(String bucket, String prefix) {
        return S3Options.compatible(bucket, prefix, endpoint);
    }

    /** A store on a new bucket under {@code prefix}. */
    public S3ObjectStore newStore(String prefix) {
        return new S3ObjectStore(options(newBucket(), prefix), credentials());
    }

    /** The environment {@code ObjectStores.open("s3://bucket/...", env)} needs to reach this proxy. */
    public java.util.Map<String, String> env() {
        return java.util.Map.of("TENANTCTL_S3_ENDPOINT", endpoint.toString(),
                "AWS_ACCESS_KEY_ID", accessKey, "AWS_SECRET_ACCESS_KEY", secretKey);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
