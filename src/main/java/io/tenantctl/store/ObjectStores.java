package io.tenantctl.store;

import io.tenantctl.TenantctlException;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Opens an {@link ObjectStore} from a {@code --store} URL.
 *
 * <ul>
 *   <li>{@code file:///absolute/path} - a {@link FileObjectStore} on that directory;</li>
 *   <li>{@code s3://bucket[/prefix]} - an {@link S3ObjectStore}, configured from the environment:
 *     <ul>
 *       <li>{@code TENANTCTL_S3_ENDPOINT}, else {@code AWS_ENDPOINT_URL_S3}, else {@code AWS_ENDPOINT_URL} - an
 *           S3-compatible endpoint; implies path-style addressing unless
 *           {@code TENANTCTL_S3_PATH_STYLE=false};</li>
 *       <li>{@code TENANTCTL_S3_PATH_STYLE} - true/false;</li>
 *       <li>{@code TENANTCTL_S3_REGION}, else {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION};</li>
 *       <li>{@code TENANTCTL_S3_SSE} - server-side encryption ({@code AES256}, {@code aws:kms}, {@code aws:kms:dsse});</li>
 *       <li>{@code TENANTCTL_S3_CHECKSUMS} - {@code when_required} (for stores refusing the SDK's default
 *           checksums; the default when an endpoint is set; sends Content-MD5 where S3 requires a checksum) or {@code when_supported} (the SDK default, used
 *           for AWS);</li>
 *       <li>{@code TENANTCTL_S3_PART_SIZE_MIB} - multipart part size of an upload's first 500 parts (default 8, minimum 5);</li>
 *       <li>{@code TENANTCTL_S3_SOCKET_TIMEOUT_MS} - the longest wait for one read from the endpoint (default 30,000);</li>
 *       <li>{@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/{@code AWS_SESSION_TOKEN} in the given map
 *           are used as static credentials; otherwise the SDK's default chain applies.</li>
 *     </ul></li>
 * </ul>
 * Invalid values are usage errors naming the value (credentials are never echoed).
 */
public final class ObjectStores {

    private ObjectStores() {
    }

    /**
     * Opens the store {@code url} names and checks that it answers (one listing) and, with {@code forWriting}, that
     * objects can be written there ({@link ObjectStore#checkWritable}): a store that does not answer or refuses access is
     * a CONFIG error (exit 3) raised before any work, not halfway through it.
     */
    public static ObjectStore openChecked(String url, Map<String, String> env, boolean forWriting) {
        return openChecked(url, env, forWriting, store -> { });
    }

    /** As {@link #openChecked(String, Map, boolean)}, with {@code also} checked once the store answers (before writing is). */
    public static ObjectStore openChecked(String url, Map<String, String> env, boolean forWriting,
                                          java.util.function.Consumer<ObjectStore> also) {
        ObjectStore store = open(url, env);
        try {
            store.list(Keys.PROBE_PREFIX);
            also.accept(store);
            if (forWriting) {
                store.checkWritable();
            }
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Opens the store {@code url} names; {@code env} supplies the S3 settings above. */
    public static ObjectStore open(String url, Map<String, String> env) {
        if (url == null || url.isBlank()) {
            throw TenantctlException.usage("no object store given: pass --store or set TENANTCTL_STORE "
                    + "(s3://bucket/prefix or file:///path)");
        }
        String trimmed = url.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("file:")) {
            return new FileObjectStore(parseFile(trimmed));
        }
        if (lower.startsWith("s3://")) {
            S3Options options = parseS3(trimmed, env);
            return new S3ObjectStore(options, credentials(env), socketTimeout(env));
        }
        throw TenantctlException.usage("unsupported object store URL '" + redact(trimmed)
                + "': expected s3://bucket/prefix or file:///absolute/path");
    }

    /** {@code TENANTCTL_S3_SOCKET_TIMEOUT_MS}: the longest wait for one read from the endpoint (default 30 s). */
    static java.time.Duration socketTimeout(Map<String, String> env) {
        String v = get(env, "TENANTCTL_S3_SOCKET_TIMEOUT_MS");
        if (v == null) {
            return S3ObjectStore.DEFAULT_SOCKET_TIMEOUT;
        }
        try {
            long ms = Long.parseLong(v.trim());
            if (ms > 0) {
                return java.time.Duration.ofMillis(ms);
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw TenantctlException.usage("invalid TENANTCTL_S3_SOCKET_TIMEOUT_MS '" + v + "': a positive number of milliseconds");
    }

    /** The directory a {@code file:} URL names. */
    static Path parseFile(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw TenantctlException.usage("invalid file store URL '" + redact(url) + "': " + e.getReason());
        }
        if (uri.getAuthority() != null && !uri.getAuthority().isEmpty() && !uri.getAuthority().equals("localhost")) {
            throw TenantctlException.usage("invalid file store URL '" + redact(url)
                    + "': use file:///absolute/path (three slashes; no host)");
        }
        if (uri.getPath() == null || !uri.getPath().startsWith("/") || uri.getQuery() != null
                || uri.getFragment() != null) {
            throw TenantctlException.usage("invalid file store URL '" + redact(url)
                    + "': use file:///absolute/path");
        }
        return Path.of(uri.getPath()).normalize();
    }

    /** The S3 settings of an {@code s3://} URL plus the environment. */
    static S3Options parseS3(String url, Map<String, String> env) {
        String rest = url.substring("s3://".length());
        if (rest.contains("@") || rest.contains("?") || rest.contains("#")) {
            throw TenantctlException.usage("invalid S3 store URL '" + redact(url)
                    + "': use s3://bucket/prefix; credentials come from the environment, not the URL");
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }

        URI endpoint = null;
        // the SDK reads AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL by itself: taken here as the endpoint they are, so that
        // an S3-compatible store named the AWS way gets path-style and its checksums, and is named in every message
        String endpointVar = java.util.stream.Stream.of("TENANTCTL_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
                .filter(v -> get(env, v) != null).findFirst().orElse("TENANTCTL_S3_ENDPOINT");
        String endpointValue = get(env, endpointVar);
        if (endpointValue != null) {
            try {
                endpoint = new URI(endpointValue);
            } catch (URISyntaxException e) {
                endpoint = null;
            }
            if (endpoint == null || endpoint.getHost() == null || endpoint.getUserInfo() != null
                    || !("http".equalsIgnoreCase(endpoint.getScheme()) || "https".equalsIgnoreCase(endpoint.getScheme()))) {
                throw TenantctlException.usage("invalid " + endpointVar + " '" + redact(endpointValue)
                        + "': expected http(s)://host[:port] without credentials");
            }
        }
        boolean pathStyle = endpoint != null;
        String pathStyleValue = get(env, "TENANTCTL_S3_PATH_STYLE");
        if (pathStyleValue != null) {
            pathStyle = parseBoolean("TENANTCTL_S3_PATH_STYLE", pathStyleValue);
        }
        String region = get(env, "TENANTCTL_S3_REGION");
        if (region == null) {
            region = get(env, "AWS_REGION");
        }
        if (region == null) {
            region = get(env, "AWS_DEFAULT_REGION");
        }
        String sse = get(env, "TENANTCTL_S3_SSE");
        if (sse != null) {
            // S3 refuses any other value at the first upload (400 InvalidArgument), after an org's whole database was read
            String given = sse;
            sse = java.util.stream.Stream.of("AES256", "aws:kms", "aws:kms:dsse").filter(v -> v.equalsIgnoreCase(given)).findFirst()
                    .orElseThrow(() -> TenantctlException.usage("invalid TENANTCTL_S3_SSE '" + given + "': expected AES256, aws:kms or aws:kms:dsse"));
        }
        // S3-compatible stores often refuse the SDK's default flexible checksums: with an endpoint, default to
        // computing them only where the API requires them (our own sha256 still covers every backup file)
        boolean whenRequired = endpoint != null;
        String checksums = get(env, "TENANTCTL_S3_CHECKSUMS");
        if (checksums != null) {
            switch (checksums.toLowerCase(Locale.ROOT)) {
                case "when_required" -> whenRequired = true;
                case "when_supported" -> whenRequired = false;
                default -> throw TenantctlException.usage("invalid TENANTCTL_S3_CHECKSUMS '" + checksums
                        + "': expected when_required or when_supported");
            }
        }
        int partSize = 0;
        String partSizeValue = get(env, "TENANTCTL_S3_PART_SIZE_MIB");
        if (partSizeValue != null) {
            try {
                long mib = Long.parseLong(partSizeValue);
                if (mib < 5 || mib > 1024) {
                    throw new NumberFormatException();
                }
                partSize = (int) (mib * 1024 * 1024);
            } catch (NumberFormatException e) {
                throw TenantctlException.usage("invalid TENANTCTL_S3_PART_SIZE_MIB '" + partSizeValue
                        + "': expected a whole number of MiB between 5 and 1024");
            }
        }
        try {
            return new S3Options(bucket, prefix, endpoint, pathStyle, region, sse, whenRequired, partSize);
        } catch (IllegalArgumentException e) {
            throw TenantctlException.usage("invalid S3 store URL '" + redact(url) + "': " + e.getMessage());
        }
    }

    private static AwsCredentialsProvider credentials(Map<String, String> env) {
        String id = get(env, "AWS_ACCESS_KEY_ID");
        String secret = get(env, "AWS_SECRET_ACCESS_KEY");
        if ((id == null) != (secret == null)) { // one of a pair: the other would be silently ignored for the SDK's default chain
            throw TenantctlException.config("S3 credentials are half set: " + (id == null ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID")
                    + " is set but " + (id == null ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is not; set both (or neither, "
                    + "for the SDK's default chain: profile, instance role)");
        }
        if (id == null) {
            return null;
        }
        String token = get(env, "AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(token == null
                ? AwsBasicCredentials.create(id, secret)
                : AwsSessionCredentials.create(id, secret, token));
    }

    private static boolean parseBoolean(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw TenantctlException.usage("invalid " + name + " '" + value + "': expected true or false");
        };
    }

    private static String get(Map<String, String> env, String name) {
        String v = env == null ? null : env.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /**
     * The URL as a refusal may quote it: any {@code user:password@} part becomes {@code ***@}, and whatever follows a
     * {@code ?} or {@code #} becomes {@code ***}. A store URL takes neither, so a pasted one that has them holds what a
     * presigned or SDK-style URL carries there: a secret key, a signature, a session token. Where a {@code ?} or
     * {@code #} comes before the last {@code @}, which is the secret's cannot be told: nothing after {@code //} is shown.
     */
    static String redact(String url) {
        int start = url.indexOf("//") < 0 ? 0 : url.indexOf("//") + 2;
        int at = url.lastIndexOf('@'); // the last: an S3 secret key often holds '/', a generated password '@'
        int query = firstQueryOrFragment(url, start);
        if (at >= start && query >= 0 && query < at) {
            return url.substring(0, start) + "***";
        }
        String masked = at >= start ? url.substring(0, start) + "***@" + url.substring(at + 1) : url;
        query = firstQueryOrFragment(masked, start);
        return query < 0 ? masked : masked.substring(0, query + 1) + "***";
    }

    private static int firstQueryOrFragment(String url, int from) {
        for (int i = from; i < url.length(); i++) {
            if (url.charAt(i) == '?' || url.charAt(i) == '#') {
                return i;
            }
        }
        return -1;
    }
}
