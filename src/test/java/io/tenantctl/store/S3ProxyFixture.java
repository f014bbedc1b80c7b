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
    private final S3Proxy proxy;
    private final URI endpoint;

    private S3ProxyFixture(BlobStoreContext context, S3Proxy proxy) {
        this.context = context;
        this.proxy = proxy;
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Starts S3Proxy; close it when done. */
    public static S3ProxyFixture start() throws Exception {
        BlobStoreContext context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        return new S3ProxyFixture(context, proxy);
    }

    /** http://127.0.0.1:port */
    public URI endpoint() {
        return endpoint;
    }

    /** Credentials S3Proxy accepts. */
    public AwsCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
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
                "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
