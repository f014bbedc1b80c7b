package io.tenantctl.store;

import io.tenantctl.TenantctlException;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * An {@link ObjectStore} in an S3 (or S3-compatible) bucket, under an optional key prefix.
 *
 * <p>Uploads stream: bytes are buffered up to one part ({@link S3Options#partSizeBytes()} for the first 500, then growing
 * as {@link PartSchedule} says, so that S3's 10,000 parts hold an object of up to 5 TiB); a full buffer starts a multipart
 * upload and is sent as a part, and close completes it. An object that fits in one part is sent with a single PutObject.
 * Memory per upload is bounded by one part (1 GiB at most, for an object over ~500 GiB). Abort (or a failed write)
 * aborts the multipart upload, so nothing becomes visible; an upload abandoned without close or abort stays
 * an invisible incomplete multipart upload (configure a bucket lifecycle rule to expire those).
 */
public final class S3ObjectStore implements ObjectStore {

    private static final int INITIAL_BUFFER = 64 * 1024;

    private final S3Options options;
    private final S3Client client;
    private volatile boolean batchDeleteUnsupported;

    /** A store using the SDK's default credentials chain. */
    public S3ObjectStore(S3Options options) {
        this(options, (AwsCredentialsProvider) null);
    }

    /** A store using the given credentials (null = the default chain). */
    public S3ObjectStore(S3Options options, AwsCredentialsProvider credentials) {
        this(options, buildClient(options, credentials));
    }

    /**
     * A store using the given credentials whose every read from the endpoint waits at most {@code socketTimeout}
     * (connecting at most 2 s, or less if the timeout is shorter): an endpoint that stops answering mid-upload fails
     * the request, which the SDK retries (3 attempts) and then the backup, instead of blocking it.
     */
    public S3ObjectStore(S3Options options, AwsCredentialsProvider credentials, java.time.Duration socketTimeout) {
        this(options, buildClient(options, credentials, socketTimeout));
    }

    /** A store over a client built elsewhere; the store closes it. */
    public S3ObjectStore(S3Options options, S3Client client) {
        this.options = Objects.requireNonNull(options);
        this.client = Objects.requireNonNull(client);
    }

    /** Builds the SDK client {@code options} describe. */
    public static S3Client buildClient(S3Options options, AwsCredentialsProvider credentials) {
        return buildClient(options, credentials, DEFAULT_SOCKET_TIMEOUT);
    }

    /** The SDK's own default read timeout, kept as tenantctl's. */
    public static final java.time.Duration DEFAULT_SOCKET_TIMEOUT = java.time.Duration.ofSeconds(30);

    /** Builds the SDK client {@code options} describe, reads from the endpoint waiting at most {@code socketTimeout}. */
    public static S3Client buildClient(S3Options options, AwsCredentialsProvider credentials, java.time.Duration socketTimeout) {
        java.time.Duration connect = socketTimeout.compareTo(java.time.Duration.ofSeconds(2)) < 0 ? socketTimeout : java.time.Duration.ofSeconds(2);
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder().socketTimeout(socketTimeout).connectionTimeout(connect))
                .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
                .forcePathStyle(options.pathStyle());
        if (options.endpointOverride() != null) {
            builder.endpointOverride(options.endpointOverride());
        }
        if (options.region() != null) {
            builder.region(Region.of(options.region()));
        }
        if (options.checksumsWhenRequired()) {
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    // where the API requires a checksum (DeleteObjects) the SDK sends a CRC32 one, which S3-compatible
                    // stores that predate it refuse (400 MissingContentMD5): send Content-MD5 as well, as S3 documents
                    .addPlugin(software.amazon.awssdk.services.s3.LegacyMd5Plugin.create());
        }
        try {
            return builder.build();
        } catch (SdkClientException e) {
            throw TenantctlException.config("cannot set up the S3 client for " + describe(options)
                    + ": " + e.getMessage() + " (set TENANTCTL_S3_REGION or AWS_REGION if no region was found)", e);
        }
    }

    /** The settings of this store. */
    public S3Options options() {
        return options;
    }

    @Override
    public Upload create(String key) {
        return new S3Upload(key, fullKey(key));
    }

    @Override
    public InputStream open(String key) {
        String full = fullKey(key);
        try {
            return new AbortUnlessDrained(client.getObject(r -> r.bucket(options.bucket()).key(full)));
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(key, describe());
        } catch (SdkException e) {
            throw translate("cannot read " + key, e);
        }
    }

    /**
     * An object's body that, closed before its end (a restore stopped by Ctrl-C or failed half-way), aborts the
     * connection: the HTTP client would otherwise read the rest of a 20 GB object to reuse it, and the stop would take as
     * long as the download.
     */
    private static final class AbortUnlessDrained extends java.io.FilterInputStream {
        private final software.amazon.awssdk.core.ResponseInputStream<?> response;
        private boolean ended;

        AbortUnlessDrained(software.amazon.awssdk.core.ResponseInputStream<?> response) {
            super(response);
            this.response = response;
        }

        @Override
        public int read() throws java.io.IOException {
            int b = super.read();
            ended |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws java.io.IOException {
            int n = super.read(buf, off, len);
            ended |= n < 0;
            return n;
        }

        @Override
        public void close() throws java.io.IOException {
            if (!ended) {
                response.abort();
            }
            super.close();
        }
    }

    @Override
    public boolean exists(String key) {
        String full = fullKey(key);
        try {
            client.headObject(r -> r.bucket(options.bucket()).key(full));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
                return false;
            }
            throw translate("cannot check " + key, e);
        } catch (SdkException e) {
            throw translate("cannot check " + key, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        Keys.requireValidPrefix(prefix);
        String full = fullPrefix() + prefix;
        List<ObjectInfo> result = new ArrayList<>();
        try {
            for (S3Object o : client.listObjectsV2Paginator(r -> r.bucket(options.bucket()).prefix(full)).contents()) {
                String key = o.key().substring(fullPrefix().length());
                if (!key.isEmpty() && !key.endsWith("/")) {
                    result.add(new ObjectInfo(key, o.size() == null ? 0 : o.size(), o.lastModified()));
                }
            }
        } catch (SdkException e) {
            throw translate("cannot list " + Keys.listed(prefix), e);
        }
        result.sort((a, b) -> a.key().compareTo(b.key()));
        return result;
    }

    /** How many keys a LIST page of {@link #listEach} asks for (null: the store's own, 1000 on S3); a test's small pages. */
    Integer listPageKeys;

    /** The part sizes of the uploads created from now on (null: {@link PartSchedule#of} the options' part size); a test's tiny parts. */
    PartSchedule partSchedule;

    /**
     * One paginated listing for all of {@code prefixes}, in S3's key order: a page that ends inside one of them is continued,
     * one that ends between them asks next from the next one (start-after), and no request reaches past the common prefix
     * of those left. Its LIST calls: as many pages as their own objects fill, plus at most one per gap between them.
     */
    @Override
    public void listEach(java.util.Collection<String> prefixes, java.util.function.Consumer<ObjectInfo> each) {
        List<String> todo = new ArrayList<>();
        prefixes.stream().map(Keys::requireDirectoryPrefix).distinct().sorted(S3ObjectStore::inKeyOrder).forEach(p -> {
            if (todo.isEmpty() || !p.startsWith(todo.get(todo.size() - 1))) { // one under another is listed with it
                todo.add(p);
            }
        });
        int i = 0;
        try {
            while (i < todo.size()) {
                String from = todo.get(i);
                String common = commonPrefix(from, todo.get(todo.size() - 1));
                var request = software.amazon.awssdk.services.s3.model.ListObjectsV2Request.builder().bucket(options.bucket())
                        .prefix(fullPrefix() + common).maxKeys(listPageKeys);
                if (from.length() > common.length()) {
                    request.startAfter(fullPrefix() + from); // "org/" itself is no object's key (a folder marker is skipped)
                }
                String last;
                do {
                    var page = client.listObjectsV2(request.build());
                    last = null;
                    for (S3Object o : page.contents()) {
                        String key = o.key().substring(fullPrefix().length());
                        last = key;
                        while (i < todo.size() && !key.startsWith(todo.get(i)) && inKeyOrder(key, todo.get(i)) > 0) {
                            i++; // past that prefix: it has no more objects
                        }
                        if (i < todo.size() && key.startsWith(todo.get(i)) && !key.isEmpty() && !key.endsWith("/")) {
                            each.accept(new ObjectInfo(key, o.size() == null ? 0 : o.size(), o.lastModified()));
                        }
                    }
                    if (!Boolean.TRUE.equals(page.isTruncated())) {
                        return; // the rest of the common prefix listed: the prefixes left have no more objects
                    }
                    request.startAfter(null).continuationToken(page.nextContinuationToken());
                } while (i < todo.size() && (last == null || last.startsWith(todo.get(i)))); // else ask from the next prefix
            }
        } catch (SdkException e) {
            throw translate("cannot list " + (todo.size() == 1 ? todo.get(0) : todo.size() + " prefixes from " + todo.get(0)), e);
        }
    }

    /** S3's order of keys: by their UTF-8 bytes, which is by code point (not Java's UTF-16 order). */
    static int inKeyOrder(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static String commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return a.substring(0, n > 0 && Character.isHighSurrogate(a.charAt(n - 1)) ? n - 1 : n);
    }

    @Override
    public List<String> children(String prefix) {
        Keys.requireDirectoryPrefix(prefix);
        String full = fullPrefix() + prefix;
        TreeSet<String> names = new TreeSet<>();
        try {
            var pages = client.listObjectsV2Paginator(r -> r.bucket(options.bucket()).prefix(full).delimiter("/"));
            for (var page : pages) {
                for (CommonPrefix cp : page.commonPrefixes()) {
                    String name = cp.prefix().substring(full.length());
                    name = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
                    if (!name.isEmpty()) {
                        names.add(name);
                    }
                }
                for (S3Object o : page.contents()) {
                    String name = o.key().substring(full.length());
                    if (!name.isEmpty()) {
                        names.add(name);
                    }
                }
            }
        } catch (SdkException e) {
            throw translate("cannot list " + Keys.listed(prefix), e); // the store's top: not "cannot list  in …"
        }
        return List.copyOf(names);
    }

    @Override
    public void delete(String key) {
        String full = fullKey(key);
        try {
            client.deleteObject(r -> r.bucket(options.bucket()).key(full));
        } catch (NoSuchKeyException e) {
            // already gone
        } catch (SdkException e) {
            throw translateDelete("cannot delete " + key, e);
        }
    }

    @Override
    public int deletePrefix(String prefix) {
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("refusing to delete every object in " + describe());
        }
        List<ObjectInfo> objects = list(prefix);
        for (int from = 0; from < objects.size(); from += 1000) {
            if (batchDeleteUnsupported) {
                objects.subList(from, objects.size()).forEach(o -> delete(o.key()));
                break;
            }
            List<ObjectIdentifier> ids = objects.subList(from, Math.min(objects.size(), from + 1000)).stream()
                    .map(o -> ObjectIdentifier.builder().key(fullPrefix() + o.key()).build())
                    .toList();
            DeleteObjectsResponse response;
            try {
                response = client.deleteObjects(r -> r.bucket(options.bucket()).delete(d -> d.objects(ids).quiet(true)));
            } catch (S3Exception e) {
                if (e.statusCode() != 501) {
                    throw translateDelete("cannot delete objects under " + prefix, e);
                }
                // some S3-compatible stores reject the checksum header the SDK sends with DeleteObjects
                batchDeleteUnsupported = true;
                from -= 1000;
                continue;
            } catch (SdkException e) {
                throw translate("cannot delete objects under " + prefix, e);
            }
            // a key gone since it was listed is deleted, as delete() says and S3 answers; some S3-compatible stores report NoSuchKey
            var errors = !response.hasErrors() ? List.<software.amazon.awssdk.services.s3.model.S3Error>of()
                    : response.errors().stream().filter(err -> !"NoSuchKey".equals(err.code())).toList();
            if (!errors.isEmpty()) {
                var first = errors.get(0);
                String what = "cannot delete " + io.tenantctl.Counted.of(errors.size(), "object") + " under " + prefix + " in " + describe() + ", e.g. " + first.key() + ": ";
                if (errors.stream().allMatch(err -> "AccessDenied".equals(err.code()))) { // S3 answers a key that may not delete so, per key
                    throw new StoreRefusesWritesException(what + "access denied AccessDenied" + allowDelete(), null);
                }
                throw new TenantctlException(TenantctlException.Category.FAILED, what + first.code() + " " + first.message());
            }
        }
        abortUnfinishedUploads(prefix);
        return objects.size();
    }

    /** Where {@link #checkWritableWritingNothing} starts the upload it aborts: beside the listing probe's prefix, no backup's key. */
    static final String WRITE_PROBE_KEY = "tenantctl-store-probe/write-check";

    /**
     * Proves that uploads are taken here, leaving no object: a multipart upload is started as every upload starts one (its
     * server-side encryption and checksum, which a bucket policy may require) and aborted at once. S3 authorizes its start as
     * s3:PutObject, so a key that may read the bucket but not write it, or a bucket policy denying writes, is refused here,
     * a CONFIG error naming the store, before any work. A store that answers otherwise (one that takes no multipart uploads)
     * is not refused on it: its first upload says.
     */
    @Override
    public void checkWritableWritingNothing() {
        String full = fullKey(WRITE_PROBE_KEY);
        String uploadId;
        try {
            uploadId = startUpload(full);
        } catch (SdkException e) {
            if (e instanceof S3Exception s3 && (s3.statusCode() == 403 || s3.statusCode() == 401)) {
                throw TenantctlException.config("store " + describe() + " cannot be written: starting an upload was refused, " + s3Detail(s3)
                        + "; allow its credentials s3:PutObject on arn:aws:s3:::" + options.bucket() + "/" + fullPrefix() + "*"
                        + (options.sse() != null && options.sse().startsWith("aws:kms") ? " (and kms:GenerateDataKey on the bucket's key)" : "")
                        + " in their IAM policy and the bucket policy, or point --store / TENANTCTL_STORE at a store they may write in", e);
            }
            StoreFullException.in(describe(), e).ifPresent(noRoom -> {
                throw noRoom; // as a backup's upload says it: free space, not "try again later"
            });
            TenantctlException t = translate("cannot start an upload", e);
            if (t.category() == TenantctlException.Category.FAILED) {
                return; // not a refusal of writes (a store that takes no multipart uploads): its first upload says
            }
            throw t;
        }
        try {
            client.abortMultipartUpload(r -> r.bucket(options.bucket()).key(full).uploadId(uploadId));
        } catch (SdkException e) {
            // not allowed to abort it: invisible, empty, and the bucket's lifecycle rule reclaims it (README, "Store")
        }
    }

    /** The key {@link #checkDeletableDeletingNothing} deletes: beside the write probe's, no backup's, never written. */
    static final String DELETE_PROBE_KEY = "tenantctl-store-probe/delete-check";

    /** What the delete probe met, once asked: the refusal, or empty (allowed, or not to be told so). */
    private java.util.Optional<StoreRefusesWritesException> deleteProbe;

    /**
     * Deletes {@link #DELETE_PROBE_KEY}, a key that does not exist, once per store opened (every prefix is under the same
     * credentials and policy on PREFIX/*): S3 answers a delete of a missing key 204 where its credentials and the bucket
     * policy allow s3:DeleteObject, 403 where they do not, which is refused here as a prune's delete is. A versioned bucket
     * answers with a delete marker it made: that marker is deleted at once by its version id (where s3:DeleteObjectVersion
     * is allowed; else it stays, a marker of no data under the probe prefix). A store that answers otherwise is not refused.
     */
    @Override
    public synchronized void checkDeletableDeletingNothing(String prefix) {
        Keys.requireDirectoryPrefix(prefix);
        if (deleteProbe == null) {
            deleteProbe = probeDelete();
        }
        deleteProbe.ifPresent(refused -> {
            throw new StoreRefusesWritesException(refused.getMessage(), refused.getCause());
        });
    }

    private java.util.Optional<StoreRefusesWritesException> probeDelete() {
        String full = fullKey(DELETE_PROBE_KEY);
        software.amazon.awssdk.services.s3.model.DeleteObjectResponse deleted;
        try {
            deleted = client.deleteObject(r -> r.bucket(options.bucket()).key(full));
        } catch (NoSuchKeyException e) {
            return java.util.Optional.empty();
        } catch (SdkException e) {
            TenantctlException t = translateDelete("cannot delete even " + DELETE_PROBE_KEY + ", a key that does not exist,", e);
            if (t instanceof StoreRefusesWritesException refused) {
                return java.util.Optional.of(refused);
            }
            if (t.category() == TenantctlException.Category.FAILED) {
                return java.util.Optional.empty(); // not a refusal of deletes: the prune's own deletes say
            }
            throw t;
        }
        if (Boolean.TRUE.equals(deleted.deleteMarker()) && deleted.versionId() != null) {
            try {
                client.deleteObject(r -> r.bucket(options.bucket()).key(full).versionId(deleted.versionId()));
            } catch (SdkException e) {
                // not allowed to delete versions: the marker stays, no data, under the probe prefix
            }
        }
        return java.util.Optional.empty();
    }

    /** Starts a multipart upload of {@code fullKey} as every upload starts one; its id. */
    private String startUpload(String fullKey) {
        return client.createMultipartUpload(r -> {
            r.bucket(options.bucket()).key(fullKey).checksumAlgorithm(partChecksum());
            if (options.sse() != null) {
                r.serverSideEncryption(options.sse());
            }
        }).uploadId();
    }

    /**
     * The checksum each part goes with, named when the upload is created too, as S3 documents a multipart upload with
     * checksums: the SDK sends a CRC32 with every part by default, and S3 refuses to complete an upload created
     * without one whose parts carry it (aws-sdk-java-v2#6518: "one or more of the specified parts could not be
     * found"). None for a store that takes checksums only where required (S3-compatible stores predating them).
     */
    private ChecksumAlgorithm partChecksum() {
        return options.checksumsWhenRequired() ? null : ChecksumAlgorithm.CRC32;
    }

    /** An S3 answer's error code and status, as messages quote it: {@code AccessDenied (HTTP 403)}. */
    private static String s3Detail(S3Exception s3) {
        String code = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : null;
        return (code != null ? code + " " : "") + "(HTTP " + s3.statusCode() + ")";
    }

    /**
     * Aborts the multipart uploads under {@code prefix} that a killed writer left open: invisible to listings, their parts
     * are stored (and billed) until aborted. Best effort — a store that cannot list them (no s3:ListBucketMultipartUploads,
     * an S3-compatible store without it) leaves them to the bucket's lifecycle rule (README, "Store").
     */
    private void abortUnfinishedUploads(String prefix) {
        try {
            for (var upload : client.listMultipartUploadsPaginator(r -> r.bucket(options.bucket()).prefix(fullPrefix() + prefix)).uploads()) {
                try {
                    client.abortMultipartUpload(r -> r.bucket(options.bucket()).key(upload.key()).uploadId(upload.uploadId()));
                } catch (SdkException gone) {
                    // finished or aborted meanwhile
                }
            }
        } catch (SdkException e) {
            // not allowed or not supported here: the lifecycle rule expires them
        }
    }

    @Override
    public String describe() {
        return describe(options);
    }

    @Override
    public String toString() {
        return describe();
    }

    @Override
    public void close() {
        client.close();
    }

    static String describe(S3Options options) {
        String s = "s3://" + options.bucket() + (options.prefix().isEmpty() ? "" : "/" + options.prefix());
        URI endpoint = options.endpointOverride();
        if (endpoint != null) {
            s += " at " + endpoint.getScheme() + "://" + endpoint.getHost()
                    + (endpoint.getPort() >= 0 ? ":" + endpoint.getPort() : "");
        }
        return s;
    }

    private String fullPrefix() {
        return options.prefix().isEmpty() ? "" : options.prefix() + "/";
    }

    private String fullKey(String key) {
        return fullPrefix() + Keys.requireValid(key);
    }

    private static boolean isNoSuchBucket(S3Exception e) {
        return e instanceof NoSuchBucketException
                || (e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode()));
    }

    private static final java.util.regex.Pattern REGION = java.util.regex.Pattern.compile("[a-z0-9-]{2,40}");
    private static final java.util.regex.Pattern EXPECTING = java.util.regex.Pattern.compile("expecting '([a-z0-9-]{2,40})'");

    /**
     * What a bucket addressed in the wrong region is told (AWS: 301 PermanentRedirect, a HEAD's without a body, naming the
     * bucket's region in {@code x-amz-bucket-region}; or 400 AuthorizationHeaderMalformed "the region 'us-east-1' is wrong;
     * expecting 'eu-west-1'"): the store's configuration, so the region to set, when the answer names it.
     */
    private String wrongRegion(S3Exception e, String detail) {
        String region = e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null ? null
                : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region").orElse(null);
        if (region == null && e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null) {
            java.util.regex.Matcher m = EXPECTING.matcher(e.awsErrorDetails().errorMessage());
            region = m.find() ? m.group(1) : null;
        }
        String configured = options.region();
        try {
            configured = client.serviceClientConfiguration().region().id();
        } catch (RuntimeException unknown) {
            // as configured
        }
        if (region != null && REGION.matcher(region).matches() && !region.equals(configured)) {
            return "bucket " + options.bucket() + " is in region " + region + (configured != null ? ", not " + configured : "")
                    + ", answered " + detail + ": set TENANTCTL_S3_REGION=" + region;
        }
        return "bucket " + options.bucket() + " must be addressed at another endpoint or region, answered " + detail
                + ": check TENANTCTL_S3_REGION (or AWS_REGION) and TENANTCTL_S3_ENDPOINT";
    }

    /**
     * As {@link #translate}, for a write: an answer from the store that refuses it for every write (access denied, credentials
     * it does not take, the bucket gone or in another region: what translate makes CONFIG of an S3 answer) is a
     * {@link StoreRefusesWritesException}, on which a run stops. A store that does not answer stays as translate says it.
     */
    /**
     * A delete's failure as {@link #translate} says it, except a refusal (401/403: a key that may not delete here, or a
     * bucket policy denying it), a {@link StoreRefusesWritesException} saying what to allow.
     */
    private TenantctlException translateDelete(String what, SdkException e) {
        if (e instanceof S3Exception s3 && (s3.statusCode() == 403 || s3.statusCode() == 401)) {
            return new StoreRefusesWritesException(what + " in " + describe() + ": access denied " + s3Detail(s3) + allowDelete(), e);
        }
        return translate(what, e);
    }

    /** What a refused delete says to allow. */
    private String allowDelete() {
        return "; allow its credentials s3:DeleteObject on arn:aws:s3:::" + options.bucket() + "/" + fullPrefix() + "* in their IAM policy "
                + "and the bucket policy";
    }

    private TenantctlException translateWrite(String what, SdkException e) {
        TenantctlException t = translate(what, e);
        return e instanceof S3Exception && t.category() == TenantctlException.Category.CONFIG && !(t instanceof StoreUnansweredException)
                ? new StoreRefusesWritesException(t.getMessage(), e) : t;
    }

    /** Maps an SDK failure to a categorised exception: store-level problems are CONFIG, the rest FAILED. */
    private TenantctlException translate(String what, SdkException e) {
        String where = " in " + describe() + ": ";
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : null;
            String detail = s3Detail(s3);
            if (isNoSuchBucket(s3)) {
                return TenantctlException.config(what + where + "bucket " + options.bucket() + " does not exist", e);
            }
            if (s3.statusCode() == 301 || s3.statusCode() == 307 || "PermanentRedirect".equals(code) || "TemporaryRedirect".equals(code)
                    || "AuthorizationHeaderMalformed".equals(code)) {
                return TenantctlException.config(what + where + wrongRegion(s3, detail), e);
            }
            if ("ExpiredToken".equals(code) || "InvalidToken".equals(code) || "TokenRefreshRequired".equals(code)) {
                // temporary credentials (an assumed role's, SSO's) run out: S3 answers 400, but it refuses access as a 403 does
                return TenantctlException.config(what + where + "the credentials were refused " + detail
                        + ": renew them (AWS_SESSION_TOKEN expires with its session) and run again", e);
            }
            if (s3.statusCode() == 403 || s3.statusCode() == 401) {
                return TenantctlException.config(what + where + "access denied " + detail
                        + "; check the store credentials and bucket policy", e);
            }
            String said = s3.awsErrorDetails() != null && s3.awsErrorDetails().errorMessage() != null ? " " + s3.awsErrorDetails().errorMessage() : "";
            if (s3.statusCode() >= 500) { // SlowDown (503), InternalError: past the client's retries, the store is not serving
                return new StoreUnansweredException(what + where + detail + said + ", still after the client's retries: the store is "
                        + "overloaded or failing; try again later", e);
            }
            return new TenantctlException(TenantctlException.Category.FAILED, what + where + detail + said, e);
        }
        // client-side: connection refused, timeouts, missing credentials
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("Unable to load credentials")) { // the SDK then lists every provider of its chain, at length
            return TenantctlException.config(what + where + "no S3 credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                    + "(or give the process a profile or role)", e);
        }
        // no connection, none kept or no reply in time (the endpoint down, unreachable, dead mid-request): say what to do
        boolean silent = TenantctlException.causeOf(e, IOException.class).isPresent();
        return new StoreUnansweredException(what + where + message + (silent ? ", still after the client's retries: the store did not "
                + "answer; check that it is up and reachable from here, then try again" : ""), e);
    }

    /** Buffers one part at a time; see the class comment. */
    private final class S3Upload extends GuardedUpload {
        private final String fullKey;
        private final PartSchedule schedule = partSchedule != null ? partSchedule : PartSchedule.of(options.partSizeBytes());
        private int partSize = schedule.size(1);
        private byte[] buffer = new byte[Math.min(INITIAL_BUFFER, partSize)];
        private int count;
        private long sent;
        private String uploadId;
        private final List<CompletedPart> parts = new ArrayList<>();

        S3Upload(String key, String fullKey) {
            super(key, describe());
            this.fullKey = fullKey;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureOpen();
            try {
                while (len > 0) {
                    if (count == partSize) {
                        // the buffer is full and more bytes follow: it is not the last part
                        sendPart();
                        int next = schedule.size(parts.size() + 1);
                        if (next != partSize) { // larger parts from now on: the old buffer goes before the new one is made
                            partSize = next;
                            buffer = null;
                            buffer = new byte[next];
                        }
                    }
                    if (count == buffer.length) {
                        buffer = Arrays.copyOf(buffer, (int) Math.min(partSize, 2L * buffer.length));
                    }
                    int n = Math.min(len, buffer.length - count);
                    System.arraycopy(b, off, buffer, count, n);
                    count += n;
                    off += n;
                    len -= n;
                }
            } catch (RuntimeException e) {
                abort();
                throw e;
            }
        }

        private void sendPart() {
            if (uploadId == null) {
                try {
                    uploadId = startUpload(fullKey);
                } catch (SdkException e) {
                    throw translateWrite("cannot start uploading " + key, e);
                }
            }
            int partNumber = parts.size() + 1;
            if (partNumber > schedule.maxParts() || sent + count > PartSchedule.S3_MAX_OBJECT) {
                throw new TenantctlException(TenantctlException.Category.FAILED, "cannot upload " + key + " to " + describe()
                        + ": it reached " + (sent + count) + " bytes, more than S3 stores in one object (5 TiB in at most "
                        + schedule.maxParts() + " parts)");
            }
            UploadPartResponse response;
            try {
                response = client.uploadPart(r -> r.bucket(options.bucket()).key(fullKey).uploadId(uploadId)
                        .partNumber(partNumber).contentLength((long) count).checksumAlgorithm(partChecksum()), body());
            } catch (SdkException e) {
                throw translateWrite("cannot upload part " + partNumber + " of " + key, e);
            }
            sent += count;
            parts.add(CompletedPart.builder().partNumber(partNumber).eTag(response.eTag())
                    .checksumCRC32(response.checksumCRC32()).checksumCRC32C(response.checksumCRC32C())
                    .checksumCRC64NVME(response.checksumCRC64NVME()).checksumSHA1(response.checksumSHA1())
                    .checksumSHA256(response.checksumSHA256()).build());
            count = 0;
        }

        private RequestBody body() {
            byte[] bytes = buffer;
            int length = count;
            // a provider, not a copy: the SDK may read the bytes more than once (signing, retries)
            return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                    "application/octet-stream");
        }

        @Override
        public void close() throws IOException {
            if (published) {
                return;
            }
            ensureOpen();
            try {
                if (uploadId == null) {
                    try {
                        client.putObject(r -> {
                            r.bucket(options.bucket()).key(fullKey).contentLength((long) count);
                            if (options.sse() != null) {
                                r.serverSideEncryption(options.sse());
                            }
                        }, body());
                    } catch (SdkException e) {
                        throw translateWrite("cannot upload " + key, e);
                    }
                } else {
                    sendPart();
                    try {
                        client.completeMultipartUpload(r -> r.bucket(options.bucket()).key(fullKey)
                                .uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
                    } catch (SdkException e) {
                        throw translateWrite("cannot complete the upload of " + key, e);
                    }
                }
                published = true;
                buffer = null;
            } catch (RuntimeException e) {
                abort();
                throw e;
            }
        }

        @Override
        public void abort() {
            if (published || aborted) {
                return;
            }
            aborted = true;
            buffer = null;
            if (uploadId != null) {
                try {
                    client.abortMultipartUpload(r -> r.bucket(options.bucket()).key(fullKey).uploadId(uploadId));
                } catch (RuntimeException ignored) {
                    // the incomplete upload stays invisible; a bucket lifecycle rule reclaims its parts
                }
            }
        }
    }
}
