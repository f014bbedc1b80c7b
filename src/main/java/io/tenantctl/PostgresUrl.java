package io.tenantctl;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL URL as tenantctl takes it, for the catalog and for a pool's admin URL: {@code jdbc:postgresql://…} (no
 * user info: the driver reads none), or {@code postgres://user:password@…} / {@code postgresql://…}, each with one host
 * or several ({@code pg-a:5432,pg-b:5432}, a primary and its standbys, which the driver tries in turn). PostgreSQL's
 * driver's own parser decides what is a URL: every one it takes is taken (a host name with '_', as docker-compose names
 * services), and one it refuses is a usage error saying why, before any connection. A message names the URL by
 * {@code what} and shows it only as {@code shown} (already masked, or null: not at all).
 */
public record PostgresUrl(String jdbcUrl, String user, String password, String hostPort, String database) {

    public static final String FORMS = "jdbc:postgresql://host[:port][,host2[:port2]…]/database[?options] or "
            + "postgres://user:…@host[:port]/database";
    private static final String JDBC = "jdbc:postgresql://";
    /**
     * User info up to the last '@' before the first '/' (a password may hold '?', '#' or '@'), failing that up to the last
     * '@' before any query (a '/' in it): a password must not pass for a host, port or path, nor an option's '@' for one.
     */
    private static final Pattern USERINFO = Pattern.compile("^((?:jdbc:)?postgres(?:ql)?://)((?=[^/]*@)[^/]*|[^?#]*)@");

    private static final Pattern ANY_CASE_SCHEME = Pattern.compile("^(?i)(?:jdbc:postgresql|postgres|postgresql)://");

    /**
     * {@code s} with its scheme in lower case when it is one of the forms above written otherwise ({@code Postgres://},
     * {@code JDBC:PostgreSQL://}): a scheme is case-insensitive (RFC 3986), and the parsing here and the driver's take
     * the lower-case one. Nothing else of {@code s} changes.
     */
    public static String lowerScheme(String s) {
        Matcher m = ANY_CASE_SCHEME.matcher(s);
        return m.find() ? m.group().toLowerCase(java.util.Locale.ROOT) + s.substring(m.end()) : s;
    }

    /** Whether {@code s} is spelled as one of the forms above (the rest is for {@link #parse} to say). */
    public static boolean hasScheme(String s) {
        return s.startsWith(JDBC) || s.startsWith("postgres://") || s.startsWith("postgresql://");
    }

    /** The user info of {@code s} (user, or user:password, as written), or null. */
    public static String userInfo(String s) {
        Matcher m = USERINFO.matcher(s);
        return m.find() ? m.group(2) : null;
    }

    /** {@code s} (trimmed, with a scheme {@link #hasScheme} takes) split, checked by the driver, and described. */
    public static PostgresUrl parse(String s, String what, String shown) {
        String named = what + (shown == null ? "" : " " + shown);
        Matcher info = USERINFO.matcher(s);
        boolean hasInfo = info.find();
        String jdbc;
        String user = null;
        String password = null;
        if (s.startsWith(JDBC)) {
            // the JDBC form's host list ends at the first '/', '?' or '#': an '@' after it is an option's (a password's)
            if (s.substring(JDBC.length(), authorityEnd(s, JDBC.length())).contains("@")) {
                throw TenantctlException.usage(named + " holds user info (…@host), which the JDBC form does not take: write "
                        + "postgres://user:…@host/db, or give the user and password as options after the database");
            }
            jdbc = s;
        } else {
            String rest = s.substring(s.indexOf("://") + 3);
            if (hasInfo) {
                String[] parts = info.group(2).split(":", 2);
                user = decode(parts[0], named);
                password = parts.length > 1 ? decode(parts[1], named) : null;
                rest = s.substring(info.end());
            }
            int end = authorityEnd(rest, 0);
            String path = rest.substring(end);
            if (path.isEmpty() || path.startsWith("?")) {
                path = "/" + path;
            }
            if (path.equals("/") || path.startsWith("/?")) { // no database named: postgres
                path = "/postgres" + path.substring(1);
            }
            jdbc = JDBC + rest.substring(0, end) + path;
        }
        Properties parsed = org.postgresql.Driver.parseURL(jdbc, new Properties());
        if (parsed == null) {
            throw TenantctlException.usage(named + " is not one PostgreSQL's driver accepts: " + refusal(jdbc) + "; write " + FORMS);
        }
        String[] hosts = parsed.getProperty("PGHOST", "").split(",", -1);
        String[] ports = parsed.getProperty("PGPORT", "").split(",", -1);
        StringBuilder hostPort = new StringBuilder();
        for (int i = 0; i < hosts.length; i++) {
            if (hosts[i].isBlank()) {
                throw TenantctlException.usage(named + " names no host" + (hosts.length > 1 ? " in one of its places" : "")
                        + ": write " + FORMS);
            }
            hostPort.append(i == 0 ? "" : ",").append(hosts[i]).append(':').append(i < ports.length ? ports[i] : "5432");
        }
        String database = parsed.getProperty("PGDBNAME", "");
        return new PostgresUrl(jdbc, user, password, hostPort.toString(), database.isEmpty() ? "(the user's database)" : database);
    }

    /** host:port[,host:port…]/database: safe to print. */
    public String describe() {
        return hostPort + "/" + database;
    }

    /** Why the driver refused {@code jdbc} (its user info is already out of it: nothing here is a secret). */
    private static String refusal(String jdbc) {
        int from = JDBC.length();
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

    private static String decode(String s, String named) {
        try {
            // a '+' in a URL's user info is a '+' (URLDecoder would make it a space: generated passwords hold '+')
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw TenantctlException.usage(named + " has a user or password that is not percent-encoded (a '%' not followed by "
                    + "two hex digits): encode '%' as %25");
        }
    }
}
