package io.tenantctl.catalog;

import io.tenantctl.TenantctlException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A catalog location in one of the accepted forms — {@code jdbc:postgresql://host:port/db?...},
 * {@code postgres://user:password@host:port/db?...} or {@code postgresql://...} — split into a JDBC URL and
 * credentials. {@link #describe()} is the only form that may be printed: host, port and database, never secrets.
 */
public record CatalogUrl(String jdbcUrl, String user, String password, String hostPort, String database) {

    public static CatalogUrl parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw TenantctlException.usage("no catalog given: pass --catalog or set TENANTCTL_CATALOG_URL "
                    + "(jdbc:postgresql://host:5432/db, postgres://user:password@host:5432/db)");
        }
        String s = raw.trim();
        if (s.startsWith("jdbc:postgresql://")) {
            URI u = uri(s.substring("jdbc:".length()), raw);
            return new CatalogUrl(s, null, null, hostPort(u), database(u));
        }
        if (s.startsWith("postgres://") || s.startsWith("postgresql://")) {
            URI u = uri(s, raw);
            String user = null;
            String password = null;
            if (u.getRawUserInfo() != null) {
                String[] parts = u.getRawUserInfo().split(":", 2);
                user = decode(parts[0]);
                password = parts.length > 1 ? decode(parts[1]) : null;
            }
            String jdbc = "jdbc:postgresql://" + hostPort(u) + "/" + database(u)
                    + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
            return new CatalogUrl(jdbc, user, password, hostPort(u), database(u));
        }
        throw TenantctlException.usage("catalog URL must start with jdbc:postgresql://, postgres:// or postgresql:// (got '"
                + scheme(s) + "...')");
    }

    /** host:port/database — safe to print. */
    public String describe() {
        return hostPort + "/" + database;
    }

    private static URI uri(String s, String raw) {
        try {
            URI u = new URI(s);
            if (u.getHost() == null) {
                throw TenantctlException.usage("catalog URL has no host: " + redact(raw));
            }
            return u;
        } catch (URISyntaxException e) {
            throw TenantctlException.usage("catalog URL is malformed (" + e.getReason() + "): " + redact(raw));
        }
    }

    private static String hostPort(URI u) {
        return u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432);
    }

    private static String database(URI u) {
        String path = u.getPath() == null ? "" : u.getPath();
        String db = path.startsWith("/") ? path.substring(1) : path;
        return db.isEmpty() ? "postgres" : db;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String scheme(String s) {
        int i = s.indexOf(':');
        return i > 0 ? s.substring(0, Math.min(i, 20)) : s.substring(0, Math.min(s.length(), 10));
    }

    /** The URL with any user:password@ and password= parameter masked. */
    static String redact(String raw) {
        // userinfo up to the last '@': a password may hold '/' or '@'
        return raw.replaceAll("//.*@", "//***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
