package io.tenantctl.pool;

import io.tenantctl.TenantctlException;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pool's MongoDB connection string as the catalog stores it. Secrets belong in {@code ${ENV}} placeholders,
 * resolved only when connecting; {@link #redacted()} is the only form ever printed.
 *
 * <p>What counts as a secret: the password in {@code user:password@}; query options whose name says secret
 * ({@code password}, {@code tlsCertificateKeyFilePassword}, anything with password, secret, token, credential or
 * api key in its name); {@code authMechanismProperties} entries other than the known non-secret ones
 * ({@code AWS_SESSION_TOKEN:…}); and any option value that looks like a credential (an AWS access key id, a JWT, or
 * a long random-looking token). Each must be a placeholder, or is refused unless {@code --allow-inline-password},
 * which moves it out of the URI into a placeholder of its own (see {@link #externalise}).
 */
public final class PoolUri {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    /**
     * user:password@ as the driver reads it: up to the last '@' before the first '/' (a password may hold '?', '#' or
     * '@'); failing that, up to the last '@' before any query, so an unencoded '/' in a pasted password is still seen as
     * part of the password (and refused / masked) rather than leaking as "host" text. An '@' in an option's value after
     * "/?" is neither.
     */
    private static final Pattern USERINFO = Pattern.compile("^(mongodb(?:\\+srv)?://)((?=[^/]*@)[^/]*|[^?#]*)@");
    /** A scheme, all a refusal quotes of input that is not a mongodb URI: what follows may hold a password in any shape. */
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]{0,31}://");
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(password|passwd|pwd|secret|token|credential|api_?key|access_?key|private_?key|session_?key).*");
    /** authMechanismProperties keys whose values are names or URLs, not secrets. */
    private static final Set<String> PUBLIC_AUTH_PROPERTIES = Set.of("SERVICE_NAME", "SERVICE_REALM", "SERVICE_HOST",
            "CANONICALIZE_HOST_NAME", "ENVIRONMENT", "TOKEN_RESOURCE", "ALLOWED_HOSTS", "PROVIDER_NAME");
    private static final Pattern AWS_KEY_ID = Pattern.compile("(AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}");
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final Pattern RANDOM_TOKEN = Pattern.compile("[A-Za-z0-9+/=_-]{32,}");

    /** One secret-bearing piece of the URI: where its value sits in the raw string, and what it is called. */
    public record Secret(String name, int start, int end, boolean placeholder) {
    }

    /** A URI whose inline secrets were moved into placeholders, and the environment variables now to be set. */
    public record Externalised(PoolUri uri, List<String> variables, List<String> percentEncoded) {
        public Externalised(PoolUri uri, List<String> variables) {
            this(uri, variables, List.of());
        }
    }

    private final String raw;

    private PoolUri(String raw) {
        this.raw = raw;
    }

    /** Checks the form of a pool's URI; inline secrets are refused unless {@code allowInlinePassword}. */
    public static PoolUri parse(String raw, boolean allowInlinePassword) {
        return parse(raw, allowInlinePassword, "pool URI", "POOL_PASSWORD",
                "or pass --allow-inline-password to have tenantctl move them into variables of its own");
    }

    /**
     * As {@link #parse(String, boolean)}, for a connection that is used once and never stored (schema capture's
     * reference database): --allow-inline-password uses the secrets as given, it moves nothing.
     */
    public static PoolUri parseOneOff(String raw, boolean allowInlinePassword) {
        return parse(raw, allowInlinePassword, "reference database URI (--from-uri)", "REF_PASSWORD",
                "or pass --allow-inline-password to use them as given (never printed or stored)");
    }

    /** {@code label} names the URI in refusals ("pool URI"); {@code variable} is the example variable for a password. */
    private static PoolUri parse(String given, boolean allowInlinePassword, String label, String variable, String allowHint) {
        String raw = lowerScheme(given);
        if (!mongodbScheme(raw)) {
            Matcher scheme = SCHEME.matcher(raw == null ? "" : raw);
            throw TenantctlException.usage(label + " must start with mongodb:// or mongodb+srv:// (" + (scheme.find() ? "it is a "
                    + scheme.group() + " URI" : "it is not a mongodb:// URI") + "; what was given is not shown, as it may hold a password)");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) { // a CRLF file's or a secret's line ending: the driver would take it into a name or option
                String what = c == '\r' ? "a carriage return (\\r)" : c == '\n' ? "a newline (\\n)" : c == '\t' ? "a tab (\\t)"
                        : String.format("U+%04X", (int) c);
                throw TenantctlException.usage(label + " holds a control character, " + what + " at character " + (i + 1) + " of "
                        + raw.length() + ": a line ending or tab copied with it (a CRLF file, a secret's trailing newline); remove it "
                        + "and give the URI again (what was given is not shown, as it may hold a password)");
            }
        }
        PoolUri uri = new PoolUri(raw);
        if (uri.hosts().isBlank()) {
            throw TenantctlException.usage(label + " " + uri.redacted() + " names no host: write mongodb://HOST:PORT/");
        }
        List<String> inline = uri.inlineSecrets();
        if (!inline.isEmpty() && !allowInlinePassword) {
            String what = inline.contains("password") && inline.size() == 1 ? "an inline password"
                    : "inline secrets (" + String.join(", ", inline) + ")";
            throw TenantctlException.usage(label + " " + uri.redacted() + " has " + what + ": put each in an environment "
                    + "variable and write ${VAR} in its place (e.g. mongodb://user:${" + variable + "}@host:27017), "
                    + allowHint);
        }
        uri.requireDriverReadable(label);
        return uri;
    }

    /**
     * Refuses what the MongoDB driver would refuse when connecting (a port out of range or not a number, an IPv6 address
     * without its closing bracket, a mongodb+srv host with a port, an option without '=', an unknown authMechanism), so
     * such a URI is never stored. The driver reads a copy in which every secret and every ${VAR} is "1": it never sees
     * a secret, so its message cannot hold one.
     */
    void requireDriverReadable(String label) {
        StringBuilder check = new StringBuilder(raw);
        List<Secret> spans = new ArrayList<>(secrets());
        spans.sort((a, b) -> Integer.compare(b.start(), a.start()));
        for (Secret s : spans) {
            check.replace(s.start(), s.end(), "1");
        }
        // user:password@ is read in its shape only, as "u:1@" (a user and a password) or "u@" (a user, with an
        // authMechanism that may take no password, X.509's): a mechanism that names a user (SCRAM-SHA-256, FerretDB's)
        // must be read with one, as the driver reads it when connecting, or the URI of every authenticated pool is
        // refused. A user alone with no mechanism is left out: which credentials a server wants is its business.
        Matcher userinfo = USERINFO.matcher(check);
        String shape = !userinfo.find() || userinfo.group(2).isEmpty() ? ""
                : userinfo.group(2).contains(":") ? "u:1@"
                : Pattern.compile("[?&;](?i:authMechanism)=").matcher(check).find() ? "u@" : "";
        String text = USERINFO.matcher(check).replaceFirst("$1" + shape);
        String driverText = PLACEHOLDER.matcher(text).replaceAll("1");
        com.mongodb.ConnectionString parsed;
        try {
            parsed = new com.mongodb.ConnectionString(driverText);
        } catch (IllegalArgumentException e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
            throw TenantctlException.usage(label + " " + redacted() + " is not a MongoDB connection string: " + why);
        }
        String dropped = droppedBoolean(parsed, driverText);
        if (dropped != null) {
            throw TenantctlException.usage(label + " " + redacted() + " is not a MongoDB connection string: its option " + dropped
                    + " must be true or false (the driver would drop it, and connect as if it were not given)");
        }
        String refused = clientRefusal(parsed);
        if (refused != null) {
            List<String> culprits = new ArrayList<>();
            int query = driverText.indexOf('?');
            String[] options = query < 0 ? new String[0] : driverText.substring(query + 1).split("[&;]");
            for (int i = 0; i < options.length; i++) {
                List<String> rest = new ArrayList<>(List.of(options));
                rest.remove(i);
                try {
                    if (clientRefusal(new com.mongodb.ConnectionString(driverText.substring(0, query + 1) + String.join("&", rest))) == null) {
                        culprits.add(options[i].contains("=") ? options[i].substring(0, options[i].indexOf('=')) : options[i]);
                    }
                } catch (IllegalArgumentException ignored) {
                    // without this option the rest does not parse: it is not the one to name
                }
            }
            throw TenantctlException.usage(label + " " + redacted() + " is not a MongoDB connection string: the driver refuses "
                    + (culprits.isEmpty() ? "its options" : (culprits.size() == 1 ? "its option " : "its options ") + String.join(", ", culprits))
                    + " (" + refused + ")");
        }
    }

    /**
     * What the driver's client refuses in options it parsed (maxPoolSize=-1, minPoolSize above maxPoolSize,
     * maxConnecting=0): ConnectionString reads the numbers, only the client settings check them. Null when none.
     */
    private static String clientRefusal(com.mongodb.ConnectionString parsed) {
        try {
            com.mongodb.MongoClientSettings.builder().applyConnectionString(parsed).build();
            return null;
        } catch (IllegalArgumentException | IllegalStateException e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
            return why.startsWith("state should be: ") ? why.substring("state should be: ".length()).strip() : why;
        }
    }

    /**
     * The driver's yes/no options, each with what it read of one: a value it cannot read (ssl=maybe) it does not refuse,
     * it logs a warning and drops the option, so its reading is null.
     */
    private static final java.util.Map<String, java.util.function.Function<com.mongodb.ConnectionString, Object>> BOOLEAN_OPTIONS =
            java.util.Map.of("ssl", com.mongodb.ConnectionString::getSslEnabled, "tls", com.mongodb.ConnectionString::getSslEnabled,
                    "tlsinsecure", com.mongodb.ConnectionString::getSslInvalidHostnameAllowed,
                    "tlsallowinvalidhostnames", com.mongodb.ConnectionString::getSslInvalidHostnameAllowed,
                    "sslinvalidhostnameallowed", com.mongodb.ConnectionString::getSslInvalidHostnameAllowed,
                    "retrywrites", com.mongodb.ConnectionString::getRetryWritesValue,
                    "retryreads", com.mongodb.ConnectionString::getRetryReads,
                    "directconnection", com.mongodb.ConnectionString::isDirectConnection,
                    "loadbalanced", com.mongodb.ConnectionString::isLoadBalanced);

    /** The first yes/no option of {@code text} (as given) that the driver dropped in {@code parsed}, or null. */
    private static String droppedBoolean(com.mongodb.ConnectionString parsed, String text) {
        int query = text.indexOf('?');
        if (query < 0) {
            return null;
        }
        for (String option : text.substring(query + 1).split("[&;]")) {
            String key = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
            var read = BOOLEAN_OPTIONS.get(key.toLowerCase(java.util.Locale.ROOT));
            if (read != null && read.apply(parsed) == null) {
                return key;
            }
        }
        return null;
    }

    /**
     * The query options the MongoDB Java driver (5.5) reads; any other it drops with a log line only -v shows: a CA or key
     * file (tlsCAFile, tlsCertificateKeyFile and its password: the JVM's trust and key stores hold those), another
     * driver's option, a misspelling.
     */
    private static final Set<String> DRIVER_OPTIONS = Set.of("minpoolsize", "maxpoolsize", "timeoutms", "sockettimeoutms",
            "waitqueuetimeoutms", "connecttimeoutms", "maxidletimems", "maxlifetimems", "maxconnecting", "ssl", "tls", "tlsinsecure",
            "sslinvalidhostnameallowed", "tlsallowinvalidhostnames", "proxyhost", "proxyport", "proxyusername", "proxypassword",
            "replicaset", "readconcernlevel", "serverselectiontimeoutms", "localthresholdms", "heartbeatfrequencyms",
            "servermonitoringmode", "retrywrites", "retryreads", "appname", "uuidrepresentation", "directconnection", "loadbalanced",
            "srvmaxhosts", "srvservicename", "compressors", "zlibcompressionlevel", "readpreference", "readpreferencetags",
            "maxstalenessseconds", "safe", "w", "wtimeoutms", "journal", "authmechanism", "authsource", "gssapiservicename",
            "authmechanismproperties");

    /** The query options of this URI (as written, each once) that the driver does not read: it connects as if they were not given. */
    public List<String> ignoredOptions() {
        Matcher m = USERINFO.matcher(raw);
        int hostStart = m.find() ? m.end() : raw.indexOf("://") + 3;
        int q = raw.indexOf('?', hostStart);
        if (q < 0) {
            return List.of();
        }
        int end = raw.indexOf('#', q);
        Set<String> out = new LinkedHashSet<>();
        for (String option : raw.substring(q + 1, end < 0 ? raw.length() : end).split("[&;]")) {
            String key = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
            if (!key.isEmpty() && !DRIVER_OPTIONS.contains(key.toLowerCase(Locale.ROOT))) {
                out.add(key);
            }
        }
        return List.copyOf(out);
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
        return secrets().stream().anyMatch(s -> s.name().equals("password") && !s.placeholder());
    }

    /** The names of the secret-bearing parts that hold literal values (empty for a URI that keeps the rules). */
    public List<String> inlineSecrets() {
        Set<String> names = new LinkedHashSet<>();
        for (Secret s : secrets()) {
            if (!s.placeholder()) {
                names.add(s.name());
            }
        }
        return List.copyOf(names);
    }

    /** Every secret-bearing part, placeholder or not, in the order it appears. */
    public List<Secret> secrets() {
        List<Secret> found = new ArrayList<>();
        Matcher m = USERINFO.matcher(raw);
        int hostStart = raw.indexOf("://") + 3;
        if (m.find()) {
            String userinfo = m.group(2);
            int colon = userinfo.indexOf(':');
            if (colon >= 0 && colon + 1 < userinfo.length()) {
                int start = m.start(2) + colon + 1;
                found.add(new Secret("password", start, m.end(2), isPlaceholder(raw.substring(start, m.end(2)))));
            }
            hostStart = m.end();
        }
        int q = raw.indexOf('?', hostStart);
        if (q < 0) {
            return found;
        }
        int end = raw.indexOf('#', q);
        end = end < 0 ? raw.length() : end;
        int pos = q + 1;
        while (pos <= end) {
            int sep = nextSeparator(pos, end);
            int eq = raw.indexOf('=', pos);
            if (eq > pos && eq < sep) {
                String name = raw.substring(pos, eq);
                if (name.equalsIgnoreCase("authMechanismProperties")) {
                    authProperties(eq + 1, sep, found);
                } else if (SECRET_NAME.matcher(name).matches() || looksLikeCredential(raw.substring(eq + 1, sep))) {
                    found.add(new Secret(name, eq + 1, sep, isPlaceholder(raw.substring(eq + 1, sep))));
                }
            }
            pos = sep + 1;
        }
        return found;
    }

    private void authProperties(int from, int to, List<Secret> found) {
        int pos = from;
        while (pos < to) {
            int comma = raw.indexOf(',', pos);
            comma = comma < 0 || comma > to ? to : comma;
            int colon = raw.indexOf(':', pos);
            if (colon > pos && colon < comma) {
                String key = raw.substring(pos, colon);
                String value = raw.substring(colon + 1, comma);
                boolean named = !PUBLIC_AUTH_PROPERTIES.contains(key.toUpperCase(Locale.ROOT));
                if (named || looksLikeCredential(value)) {
                    found.add(new Secret(key, colon + 1, comma, isPlaceholder(value)));
                }
            }
            pos = comma + 1;
        }
    }

    private int nextSeparator(int from, int end) {
        for (int i = from; i < end; i++) {
            char c = raw.charAt(i);
            if (c == '&' || c == ';') {
                return i;
            }
        }
        return end;
    }

    private static boolean isPlaceholder(String value) {
        return PLACEHOLDER.matcher(value).matches();
    }

    /** An AWS access key id, a JWT, or a long token of letters, digits and base64 punctuation mixing cases and digits. */
    static boolean looksLikeCredential(String rawValue) {
        if (isPlaceholder(rawValue)) {
            return false;
        }
        String v;
        try {
            v = URLDecoder.decode(rawValue, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            v = rawValue;
        }
        if (AWS_KEY_ID.matcher(v).find() || JWT.matcher(v).find()) {
            return true;
        }
        return RANDOM_TOKEN.matcher(v).matches() && v.chars().anyMatch(Character::isUpperCase)
                && v.chars().anyMatch(Character::isLowerCase) && v.chars().anyMatch(Character::isDigit);
    }

    /**
     * The servers this URI names, as host:port in lower case (27017 when no port is given; a mongodb+srv URI's name as
     * given): two pools whose sets meet are two registrations of one server, whose databases of one name are one database.
     */
    public java.util.Set<String> servers() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        boolean srv = raw.startsWith("mongodb+srv://");
        for (String h : hosts().split(",")) {
            String host = h.trim().toLowerCase(java.util.Locale.ROOT);
            if (host.isEmpty()) {
                continue;
            }
            boolean hasPort = host.startsWith("[") ? host.contains("]:") : host.contains(":");
            out.add(srv || hasPort ? host : host + ":27017");
        }
        return out;
    }

    /** The servers this URI and {@code other} both name (empty: two servers, as far as the URIs tell). */
    public java.util.Set<String> serversSharedWith(PoolUri other) {
        java.util.Set<String> shared = servers();
        shared.retainAll(other.servers());
        return shared;
    }

    /** The part after the scheme and userinfo, up to the path or query: the hosts. */
    private String hosts() {
        Matcher m = USERINFO.matcher(raw);
        int from = m.find() ? m.end() : raw.indexOf("://") + 3;
        int to = from;
        while (to < raw.length() && "/?#".indexOf(raw.charAt(to)) < 0) {
            to++;
        }
        return raw.substring(from, to);
    }

    /** The URI with every literal secret replaced by ***; placeholders are kept (they are not secrets). */
    public String redacted() {
        return redact(raw);
    }

    /**
     * The mongosh command, one line to paste, that runs {@code js} on this pool: its URI as shown ({@link #redacted}, no
     * secret), in double quotes so that the shell fills in its ${VAR}s as tenantctl does, and {@code js} in single quotes.
     */
    public String mongosh(String js) {
        String shown = redacted();
        StringBuilder line = new StringBuilder("mongosh \"");
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            line.append(c == '"' || c == '\\' || c == '`' || (c == '$' && !shown.startsWith("${", i)) ? "\\" + c : String.valueOf(c));
        }
        return line + "\" --quiet --eval '" + js.replace("'", "'\\''") + "'";
    }

    private static final Pattern ANY_CASE_SCHEME = Pattern.compile("^(?i)mongodb(?:\\+srv)?://");

    /**
     * {@code raw} with a mongodb:// or mongodb+srv:// scheme written in another case ({@code MongoDB://}) in lower case, as
     * the driver and the rules here read it: a scheme is case-insensitive (RFC 3986). Nothing else changes.
     */
    private static String lowerScheme(String raw) {
        Matcher m = raw == null ? null : ANY_CASE_SCHEME.matcher(raw);
        return m != null && m.find() ? m.group().toLowerCase(java.util.Locale.ROOT) + raw.substring(m.end()) : raw;
    }

    /** Whether {@code uri} (stored, or as shown: redaction keeps the scheme) is a mongodb:// or mongodb+srv:// one. */
    public static boolean mongodbScheme(String uri) {
        return uri != null && (uri.startsWith("mongodb://") || uri.startsWith("mongodb+srv://"));
    }

    static String redact(String raw) {
        if (!mongodbScheme(raw)) {
            // not one pools add stores (http://…, mongodb:/… written by hand or an older tenantctl): where its user info
            // ends is not read as a mongodb URI's is, so all before its last '@' (its scheme kept) and its query are masked
            Matcher scheme = SCHEME.matcher(raw);
            int from = scheme.find() ? scheme.end() : 0;
            int at = raw.lastIndexOf('@');
            String masked = at >= from ? raw.substring(0, from) + "***" + raw.substring(at) : raw;
            int query = masked.indexOf('?');
            return query < 0 ? masked : masked.substring(0, query) + "?***";
        }
        PoolUri uri = new PoolUri(raw);
        StringBuilder out = new StringBuilder(raw);
        List<Secret> secrets = uri.secrets();
        for (int i = secrets.size() - 1; i >= 0; i--) {
            Secret s = secrets.get(i);
            if (!s.placeholder()) {
                out.replace(s.start(), s.end(), "***");
            }
        }
        // a literal password (a row an older tenantctl stored) may hold '@' then '/', '?' or '#', and where it ends cannot
        // be told: masked up to the URI's last '@' (its other secrets masked already), at worst hiding hosts, never a secret
        Matcher m = USERINFO.matcher(out);
        if (uri.hasInlinePassword() && m.find() && out.lastIndexOf("@") >= m.end()) {
            out.replace(m.start(2), out.lastIndexOf("@"), m.group(2).substring(0, m.group(2).indexOf(':') + 1) + "***");
        }
        return out.toString();
    }

    /**
     * This URI with every literal secret moved into a placeholder named after the pool and the secret
     * ({@code ${TENANTCTL_POOL_POOL_3_PASSWORD}}), so that the catalog never stores it; the caller tells the
     * operator which variables to set.
     */
    public Externalised externalise(String poolId) {
        return externalise(poolId, java.util.Set.of());
    }

    /**
     * As {@link #externalise(String)}, never naming a variable in {@code taken} (those other pools read: pool-1 and pool_1
     * both spell POOL_1, and two pools must never be told to keep their different secrets in one variable).
     */
    public Externalised externalise(String poolId, java.util.Set<String> taken) {
        String prefix = "TENANTCTL_POOL_" + envName(poolId) + "_";
        StringBuilder out = new StringBuilder(raw);
        List<String> variables = new ArrayList<>();
        List<String> encoded = new ArrayList<>();
        List<Secret> secrets = secrets();
        for (int i = secrets.size() - 1; i >= 0; i--) {
            Secret s = secrets.get(i);
            if (s.placeholder()) {
                continue;
            }
            String var = prefix + envName(s.name());
            String base = var;
            for (int n = 2; variables.contains(var) || taken.contains(var); n++) {
                var = base + "_" + n;
            }
            variables.add(0, var);
            if (Pattern.compile("%[0-9A-Fa-f]{2}").matcher(raw.substring(s.start(), s.end())).find()) {
                encoded.add(0, var); // the driver reads it decoded, and resolve() encodes the variable's value: it takes it decoded
            }
            out.replace(s.start(), s.end(), "${" + var + "}");
        }
        return new Externalised(new PoolUri(out.toString()), List.copyOf(variables), List.copyOf(encoded));
    }

    private static String envName(String s) {
        return s.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The names of the environment variables this URI's placeholders reference, in order, each once. */
    public java.util.List<String> variables() {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(raw);
        while (m.find()) {
            names.add(m.group(1));
        }
        return java.util.List.copyOf(names);
    }

    /**
     * Substitutes {@code ${VAR}} from {@code env}. Values inside the user:password part and the query are
     * percent-encoded. A missing variable is a CONFIG error naming the pool and the variable.
     */
    public String resolve(String poolId, Map<String, String> env) {
        Matcher userinfo = USERINFO.matcher(raw);
        int userinfoEnd = userinfo.find() ? userinfo.end() : -1;
        int query = raw.indexOf('?', Math.max(userinfoEnd, 0));
        Matcher m = PLACEHOLDER.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) { // every unset one named at once: not one per run of the command
                List<String> unset = variables().stream().filter(v -> env.get(v) == null).toList();
                throw TenantctlException.config(subject(poolId) + ": its URI references " + String.join(", ", unset.stream()
                        .map(v -> "${" + v + "}").toList()) + (unset.size() == 1 ? ", which is" : ", which are")
                        + " not set in the environment" + setIt(unset));
            }
            if (m.start() < userinfoEnd || (query >= 0 && m.start() > query)) {
                String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
                io.tenantctl.SecretValues.add(value, encoded); // a library may print it resolved (the driver's proxy settings at -v)
                value = encoded;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * What an unset {@code ${VAR}} of a URI's line goes on with: how to give {@code variable} (the environment, or an
     * UPPER_CASE key of the config file), then to run the command again.
     */
    public static String setIt(String variable) {
        return ": export " + variable + "=… (or set " + variable + "=… in the --config file), then run this again";
    }

    /** As {@link #setIt(String)}, for every one of {@code variables} (one: that very line), all set before running again. */
    public static String setIt(List<String> variables) {
        return variables.size() == 1 ? setIt(variables.get(0)) : ": export " + String.join(" ", variables.stream().map(v -> v + "=…").toList())
                + " (or set them in the --config file), then run this again";
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
