package io.tenantctl.catalog;

import io.tenantctl.TenantctlException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A catalog location in one of the accepted forms — {@code jdbc:postgresql://host:port/db?...},
 * {@code postgres://user:password@host:port/db?...} or {@code postgresql://...}, each with one host or several
 * ({@code host1:5432,host2:5432}, for a primary and its standbys) — split into a JDBC URL and credentials. The
 * PostgreSQL driver's own parser says what it accepts (host names with '_' included), so no URL that the driver would
 * take is refused here and none it refuses gets as far as "No suitable driver". {@link #describe()} is the only form
 * that may be printed: hosts, ports and database, never secrets.
 */
public record CatalogUrl(String jdbcUrl, String user, String password, String hostPort, String database) {

    private static final String FORMS = "jdbc:postgresql://host[:port][,host2[:port2]…]/database[?options] or "
            + "postgres://user:…@host[:port]/database";

    public static CatalogUrl parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw TenantctlException.usage("no catalog given: pass --catalog or set TENANTCTL_CATALOG_URL "
                    + "(jdbc:postgresql://host:5432/db, postgres://user:password@host:5432/db)");
        }
        String s = raw.trim();
        String jdbc;
        String user = null;
        String password = null;
        if (s.startsWith("jdbc:postgresql://")) {
            if (s.indexOf('@') >= 0 && s.indexOf('@') < authorityEnd(s, "jdbc:postgresql://".length())) {
                throw TenantctlException.usage("catalog URL " + redact(raw) + " holds user info (…@host), which the JDBC form does not "
                        + "take: write postgres://user:…@host/db, or give the user and password as options after the database");
            }
            jdbc = s;
        } else if (s.startsWith("postgres://") || s.startsWith("postgresql://")) {
            String rest = s.substring(s.indexOf("://") + 3);
            int at = rest.lastIndexOf('@'); // userinfo up to the last '@': a password may hold '/', '?', '#' or '@'
            if (at >= 0) {
                String[] parts = rest.substring(0, at).split(":", 2);
                user = decode(parts[0], raw);
                password = parts.length > 1 ? decode(parts[1], raw) : null;
                rest = rest.substring(at + 1);
            }
            int end = authorityEnd(rest, 0);
            String path = end == rest.length() ? "" : rest.substring(end);
            if (path.isEmpty() || path.startsWith("?")) {
                path = "/" + path;
            }
            if (path.equals("/") || path.startsWith("/?")) { // no database named: postgres, as before
                path = "/postgres" + path.substring(1);
            }
            jdbc = "jdbc:postgresql://" + rest.substring(0, end) + path;
        } else {
            throw TenantctlException.usage("catalog URL must start with jdbc:postgresql://, postgres:// or postgresql:// (got '"
                    + scheme(s) + "...')");
        }
        java.util.Properties parsed = org.postgresql.Driver.parseURL(jdbc, new java.util.Properties());
        if (parsed == null) {
            throw TenantctlException.usage("catalog URL " + redact(raw) + " is not one PostgreSQL's driver accepts: " + refusal(jdbc)
                    + "; write " + FORMS);
        }
        String[] hosts = parsed.getProperty("PGHOST", "").split(",", -1);
        String[] ports = parsed.getProperty("PGPORT", "").split(",", -1);
        StringBuilder hostPort = new StringBuilder();
        for (int i = 0; i < hosts.length; i++) {
            if (hosts[i].isBlank()) {
                throw TenantctlException.usage("catalog URL " + redact(raw) + " names no host" + (hosts.length > 1 ? " in one of its places" : "")
                        + ": write " + FORMS);
            }
            hostPort.append(i == 0 ? "" : ",").append(hosts[i]).append(':').append(i < ports.length ? ports[i] : "5432");
        }
        String database = parsed.getProperty("PGDBNAME", "");
        return new CatalogUrl(jdbc, user, password, hostPort.toString(), database.isEmpty() ? "(the user's database)" : database);
    }

    /** host:port/database — safe to print. */
    public String describe() {
        return hostPort + "/" + database;
    }

    /** Why the driver refused {@code jdbc} (its user info is already out of it: nothing here is a secret). */
    private static String refusal(String jdbc) {
        int from = "jdbc:postgresql://".length();
        int end = authorityEnd(jdbc, from);
        if (end == jdbc.length() || jdbc.charAt(end) != '/') {
            return "it needs a '/' after its host and port";
        }
        for (String place : jdbc.substring(from, end).split(",", -1)) {
            int colon = place.lastIndexOf(':');
            if (colon >= 0 && colon > place.lastIndexOf(']')) {
                String port = place.substring(colon + 1);
                if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                    return "port '" + port + "' is not a number from 1 to 65535";
                }
            }
        }
        return "an option after '?' holds a '%' not followed by two hex digits (encode '%' as %25)";
    }

    /** Where the host list that starts at {@code from} ends: at the first '/', '?' or '#', else the end. */
    private static int authorityEnd(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if ("/?#".indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    private static String decode(String s, String raw) {
        try {
            // a '+' in a URL's user info is a '+' (URLDecoder would make it a space: generated passwords hold '+')
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw TenantctlException.usage("catalog URL " + redact(raw) + " has a user or password that is not percent-encoded "
                    + "(a '%' not followed by two hex digits): encode '%' as %25");
        }
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
