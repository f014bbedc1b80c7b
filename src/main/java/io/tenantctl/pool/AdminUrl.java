package io.tenantctl.pool;

import io.tenantctl.TenantctlException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pool's optional admin PostgreSQL URL ({@code postgres://user:${VAR}@host:5432/db}, {@code postgresql://…} or
 * {@code jdbc:postgresql://…}), read by {@code pools stats} for pressure signals. The rules of pool URIs: stored without a
 * password — a password (in the user info or as a {@code password=} parameter) must be a {@code ${VAR}} placeholder,
 * resolved from the environment at connect time.
 */
public final class AdminUrl {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern WHOLE_PLACEHOLDER = Pattern.compile("^\\$\\{[A-Za-z_][A-Za-z0-9_]*}$");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(?:^|[?&])(password|sslpassword)=([^&]*)");
    /**
     * Userinfo up to the last '@' before the first '/' (a password may hold '?', '#' or '@'), failing that up to the last
     * '@' before any query (a '/' in it): a password must not pass for a host, port or path, nor an option's '@' for one.
     */
    private static final Pattern USERINFO = Pattern.compile("^((?:jdbc:)?postgres(?:ql)?://)((?=[^/]*@)[^/]*|[^?#]*)@");

    /** What connecting needs: the JDBC URL and credentials, placeholders resolved. Never printed. */
    public record Resolved(String jdbcUrl, String user, String password) {
        @Override
        public String toString() {
            return "Resolved[" + jdbcUrl.replaceAll("(?i)password=[^&]*", "password=***") + "]";
        }
    }

    private final String raw;

    private AdminUrl(String raw) {
        this.raw = raw;
    }

    /** Checks the form; a literal password anywhere is refused (exit 2) naming the rule, never the value. */
    public static AdminUrl parse(String raw) {
        String s = raw == null ? "" : raw.trim();
        if (!(s.startsWith("postgres://") || s.startsWith("postgresql://") || s.startsWith("jdbc:postgresql://"))) {
            // not a word of what was typed: without its scheme, its first characters are the user and the password
            throw TenantctlException.usage("admin URL must start with postgres://, postgresql:// or jdbc:postgresql:// (what was given "
                    + "starts otherwise; it is not shown, as it may hold a password)");
        }
        Matcher u = USERINFO.matcher(s);
        if (u.find()) {
            String[] parts = u.group(2).split(":", 2);
            if (parts.length == 2 && !WHOLE_PLACEHOLDER.matcher(parts[1]).matches()) {
                throw inline();
            }
        }
        Matcher p = PASSWORD_PARAM.matcher(s);
        while (p.find()) {
            if (!WHOLE_PLACEHOLDER.matcher(p.group(2)).matches()) {
                throw inline();
            }
        }
        AdminUrl url = new AdminUrl(s);
        url.uri(s); // host present, well formed (placeholders aside)
        return url;
    }

    private static TenantctlException inline() {
        return TenantctlException.usage("admin URL has an inline password: put it in an environment variable and write ${VAR} in its "
                + "place (e.g. postgres://monitor:${POOL1_PG_PASSWORD}@pg-1:5432/postgres); the catalog never stores a password");
    }

    /** A stored URL, trusted to have been checked when it was set. */
    public static AdminUrl stored(String raw) {
        return new AdminUrl(raw);
    }

    public String raw() {
        return raw;
    }

    /** host:port/db, safe to print. */
    public String describe() {
        URI u = uri(raw);
        String path = u.getPath() == null || u.getPath().length() <= 1 ? "/postgres" : u.getPath();
        return u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432) + path;
    }

    /** Placeholders substituted from {@code env}; a missing variable is a CONFIG error naming it. */
    public Resolved resolve(String poolId, Map<String, String> env) {
        Matcher m = PLACEHOLDER.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                throw TenantctlException.config("pool " + poolId + ": its admin URL references ${" + m.group(1)
                        + "}, which is not set in the environment");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20")));
        }
        m.appendTail(out);
        String s = out.toString();
        // the jdbc: spelling too: PgJDBC reads no user info, it would take "user:password@host" for a host name
        URI u = uri(s.startsWith("jdbc:") ? s.substring("jdbc:".length()) : s);
        String user = null;
        String password = null;
        if (u.getRawUserInfo() != null) {
            String[] parts = u.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
        }
        String path = u.getRawPath() == null || u.getRawPath().length() <= 1 ? "/postgres" : u.getRawPath();
        String jdbc = "jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432) + path
                + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
        return new Resolved(jdbc, user, password);
    }

    private static URI uri(String s) {
        String plain = PLACEHOLDER.matcher(s.startsWith("jdbc:") ? s.substring(5) : s).replaceAll("x");
        try {
            URI u = new URI(plain);
            if (u.getHost() == null) {
                throw TenantctlException.usage("admin URL names no host: write postgres://USER:${VAR}@HOST:5432/postgres");
            }
            return u;
        } catch (URISyntaxException e) {
            throw TenantctlException.usage("admin URL is malformed (" + e.getReason() + ")");
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
