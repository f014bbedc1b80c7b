package io.tenantctl.pool;

import io.tenantctl.PostgresUrl;
import io.tenantctl.TenantctlException;

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
        String s = raw == null ? "" : PostgresUrl.lowerScheme(raw.trim());
        if (!PostgresUrl.hasScheme(s)) {
            // not a word of what was typed: without its scheme, its first characters are the user and the password
            throw TenantctlException.usage("admin URL must start with postgres://, postgresql:// or jdbc:postgresql:// (what was given "
                    + "starts otherwise; it is not shown, as it may hold a password)");
        }
        String info = PostgresUrl.userInfo(s);
        if (info != null) {
            String[] parts = info.split(":", 2);
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
        checked(s); // hosts present, well formed (placeholders aside)
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

    /** host:port[,host:port…]/db, safe to print. */
    public String describe() {
        return checked(raw).describe();
    }

    /** Placeholders substituted from {@code env}; a missing variable is a CONFIG error naming it. */
    public Resolved resolve(String poolId, Map<String, String> env) {
        Matcher m = PLACEHOLDER.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                throw TenantctlException.config("pool " + poolId + ": its admin URL references ${" + m.group(1)
                        + "}, which is not set in the environment" + PoolUri.setIt(m.group(1)));
            }
            String encoded = java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
            io.tenantctl.SecretValues.add(value, encoded); // only a password may be a placeholder here
            m.appendReplacement(out, Matcher.quoteReplacement(encoded));
        }
        m.appendTail(out);
        String s = out.toString();
        // the jdbc: spelling too: PgJDBC reads no user info, it would take "user:password@host" for a host name
        PostgresUrl u = PostgresUrl.parse(postgresForm(s), "admin URL", null);
        return new Resolved(u.jdbcUrl(), u.user(), u.password());
    }

    /** The URL split by {@link PostgresUrl} with its placeholders as plain words (what they hold is not the form's). */
    private static PostgresUrl checked(String s) {
        return PostgresUrl.parse(postgresForm(PLACEHOLDER.matcher(s).replaceAll("x")), "admin URL", null);
    }

    /** jdbc:postgresql://user:${VAR}@host/db is taken as postgresql://…: the user info is tenantctl's to hand over. */
    private static String postgresForm(String s) {
        return s.startsWith("jdbc:") ? s.substring("jdbc:".length()) : s;
    }

    @Override
    public String toString() {
        return describe();
    }
}
