package io.tenantctl.pool;

import io.tenantctl.TenantctlException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pool's MongoDB connection string as the catalog stores it. Secrets belong in {@code ${ENV}} placeholders,
 * resolved only when connecting; {@link #redacted()} is the only form ever printed.
 */
public final class PoolUri {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    /**
     * user:password@ — up to the last '@' before any query, so an unencoded '/' or '@' in a pasted password is still
     * seen as part of the password (and refused / masked) rather than leaking as "host" text.
     */
    private static final Pattern USERINFO = Pattern.compile("^(mongodb(?:\\+srv)?://)([^?#]*)@");
    /** Any scheme's user:password@, for echoing input that is not a mongodb URI at all. */
    private static final Pattern ANY_USERINFO = Pattern.compile("(?<=://)([^:/@?#]*):[^?#]*@");

    private final String raw;

    private PoolUri(String raw) {
        this.raw = raw;
    }

    /** Checks the form; an inline password is refused unless {@code allowInlinePassword}. */
    public static PoolUri parse(String raw, boolean allowInlinePassword) {
        if (raw == null || !(raw.startsWith("mongodb://") || raw.startsWith("mongodb+srv://"))) {
            throw TenantctlException.usage("pool URI must start with mongodb:// or mongodb+srv:// (got '"
                    + (raw == null ? "" : ANY_USERINFO.matcher(raw).replaceFirst("$1:***@")) + "')");
        }
        PoolUri uri = new PoolUri(raw);
        if (uri.hasInlinePassword() && !allowInlinePassword) {
            throw TenantctlException.usage("pool URI " + uri.redacted() + " has an inline password: put it in an environment "
                    + "variable and write ${VAR} in its place (e.g. mongodb://user:${POOL_PASSWORD}@host:27017), "
                    + "or pass --allow-inline-password");
        }
        return uri;
    }

    /** A stored URI, trusted to have been checked when it was added. */
    public static PoolUri stored(String raw) {
        return new PoolUri(raw);
    }

    public String raw() {
        return raw;
    }

    /** True when the userinfo holds a literal password rather than a ${VAR} placeholder. */
    public boolean hasInlinePassword() {
        Matcher m = USERINFO.matcher(raw);
        if (!m.find()) {
            return false;
        }
        String userinfo = m.group(2);
        int colon = userinfo.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String password = userinfo.substring(colon + 1);
        return !password.isEmpty() && !PLACEHOLDER.matcher(password).matches();
    }

    /** The URI with any literal password replaced by ***; placeholders are kept (they are not secrets). */
    public String redacted() {
        return redact(raw);
    }

    static String redact(String raw) {
        Matcher m = USERINFO.matcher(raw);
        if (!m.find()) {
            return raw;
        }
        String userinfo = m.group(2);
        int colon = userinfo.indexOf(':');
        if (colon < 0 || PLACEHOLDER.matcher(userinfo.substring(colon + 1)).matches()) {
            return raw;
        }
        return m.group(1) + userinfo.substring(0, colon) + ":***@" + raw.substring(m.end());
    }

    /**
     * Substitutes {@code ${VAR}} from {@code env}. Values inside the user:password part are percent-encoded.
     * A missing variable is a CONFIG error naming the pool and the variable.
     */
    public String resolve(String poolId, Map<String, String> env) {
        Matcher userinfo = USERINFO.matcher(raw);
        int userinfoEnd = userinfo.find() ? userinfo.end() : -1;
        Matcher m = PLACEHOLDER.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                throw TenantctlException.config(subject(poolId) + ": its URI references ${" + m.group(1)
                        + "}, which is not set in the environment");
            }
            if (m.start() < userinfoEnd) {
                value = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * How messages name a connection: "pool ID" for a catalog pool, or, for a connection that is not one (schema
     * capture's reference database), the description passed in the id's place. Pool ids never contain a space.
     */
    public static String subject(String poolId) {
        return poolId.indexOf(' ') >= 0 ? poolId : "pool " + poolId;
    }

    @Override
    public String toString() {
        return redacted();
    }
}
