package io.tenantctl.store;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * Settings of an {@link S3ObjectStore}.
 *
 * @param bucket                 bucket name (3-63 characters: lowercase letters, digits, '.', '-')
 * @param prefix                 key prefix inside the bucket, without leading or trailing '/'; "" for none
 * @param endpointOverride       S3-compatible endpoint (MinIO, Ceph, S3Proxy...), or null for AWS
 * @param pathStyle              address the bucket as {@code endpoint/bucket} instead of {@code bucket.endpoint}
 * @param region                 signing region; null = the SDK's default chain (defaults to us-east-1 when an
 *                               endpoint override is set)
 * @param sse                    server-side encryption sent on every upload ("AES256", "aws:kms"), or null
 * @param checksumsWhenRequired  compute/validate the SDK's flexible checksums only where the API requires them;
 *                               needed by S3-compatible stores that refuse the SDK's default checksums
 * @param partSizeBytes          the size of an upload's first 500 parts, then growing ({@link PartSchedule}), also what an
 *                               upload holds in memory until then; 0 = 8 MiB; at least 5 MiB
 */
public record S3Options(String bucket, String prefix, URI endpointOverride, boolean pathStyle, String region,
                        String sse, boolean checksumsWhenRequired, int partSizeBytes) {

    /** S3's minimum size of every part but the last. */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    /** Part size used when none is given. */
    public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
    /** Largest part size accepted (bounds the memory of one upload). */
    public static final int MAX_PART_SIZE = 1024 * 1024 * 1024;

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public S3Options {
        if (bucket == null || !BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("invalid S3 bucket name '" + bucket
                    + "': 3-63 characters, lowercase letters, digits, '.' and '-', starting and ending alphanumeric");
        }
        prefix = normalizePrefix(prefix);
        if (endpointOverride != null && (endpointOverride.getScheme() == null || endpointOverride.getHost() == null)) {
            throw new IllegalArgumentException("S3 endpoint must be an absolute http(s) URL: " + endpointOverride);
        }
        if (region == null && endpointOverride != null) {
            region = "us-east-1";
        }
        if (sse != null && sse.isBlank()) {
            sse = null;
        }
        if (partSizeBytes == 0) {
            partSizeBytes = DEFAULT_PART_SIZE;
        }
        if (partSizeBytes < MIN_PART_SIZE || partSizeBytes > MAX_PART_SIZE) {
            throw new IllegalArgumentException("S3 part size must be between 5 MiB and 1 GiB, got " + partSizeBytes);
        }
    }

    /** AWS S3 with default settings for {@code bucket} and {@code prefix}. */
    public static S3Options of(String bucket, String prefix) {
        return new S3Options(bucket, prefix, null, false, null, null, false, 0);
    }

    /** An S3-compatible endpoint: path-style addressing, checksums only when required. */
    public static S3Options compatible(String bucket, String prefix, URI endpoint) {
        return new S3Options(bucket, prefix, endpoint, true, null, null, true, 0);
    }

    /** A copy with another part size. */
    public S3Options withPartSize(int bytes) {
        return new S3Options(bucket, prefix, endpointOverride, pathStyle, region, sse, checksumsWhenRequired, bytes);
    }

    private static String normalizePrefix(String prefix) {
        if (prefix == null) {
            return "";
        }
        String p = prefix;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.isEmpty()) {
            Keys.requireValid(p);
        }
        return p;
    }
}
