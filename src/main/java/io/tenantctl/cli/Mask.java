package io.tenantctl.cli;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last guard before anything reaches stderr or an error document: whatever looks like a credential in a URL or a
 * {@code password=} parameter is masked, whichever code path quoted it (picocli echoing an argument it could not match,
 * a refusal quoting the URL it refused). Each parser redacts what it knows; this catches what they did not foresee,
 * such as a password holding '/', '?', '#' or '@', or a URL typed without its scheme.
 */
final class Mask {

    /**
     * What ends a quoted token after its closing quote: a space, a list's ',' or ';', a ':' (a quoted URL then what was
     * wrong with it), a closing bracket, the end. A quote followed by anything else is a password's own ('pa"ss', "pa'ss",
     * JSON-escaped 'pa\\"ss'), as are '<' and '>'.
     */
    private static final String CLOSES = "(?![\\s,;:)\\]}]|$)";
    /** One character of a token: anything but a space, or a quote, '<' or '>' that does not close it. */
    private static final String TOKEN_CHAR = "(?:[^\\s'\"<>]|['\"<>]" + CLOSES + ")";

    /** scheme:// (or scheme:/) then userinfo up to the last '@' of the token: the driver's reading of userinfo. */
    private static final Pattern SCHEMED = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*:/{1,2})(" + TOKEN_CHAR + "*)@");
    /**
     * user:password@host without a scheme: the password up to the token's last '@' ('@' and '/' in it included, a host
     * mistyped included), as the driver reads userinfo; never across a scheme's "://" (a URL quoted after a name and colon).
     */
    private static final Pattern BARE = Pattern.compile("(^|[\\s'\"=(,])([A-Za-z0-9._%+-]+):((?!/)" + TOKEN_CHAR + "(?:(?!://)" + TOKEN_CHAR
            + ")*)@(?=[^\\s'\"])");
    /**
     * A key=value whose key names a secret: {@code password=}, {@code proxyPassword=}, and an environment file's own lines
     * ({@code POOL1_PASSWORD=}, {@code AWS_SECRET_ACCESS_KEY=}, {@code AWS_SESSION_TOKEN=}); the key is kept, so what was
     * quoted can still be told. The value ends at '&', ';', a quote that closes it, a space, or a comma followed by a space
     * (a list's, as in the driver's {@code password=<hidden>, mechanismProperties=…}); a comma inside a password is masked
     * with it, and so is a quote that does not close it. A value in quotes (an environment file's
     * {@code POOL1_PASSWORD="s3 cr3t"}) is masked to its closing quote, spaces and all.
     */
    private static final Pattern PARAM = Pattern.compile("(?i)(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|"
            + "credential|api_?key|private_?key|session_?key)[A-Za-z0-9_.-]*)=((['\"])(?:(?!\\3(?:[\\s,;&)\\]}]|$)).)*\\3"
            + "|(?:[^&\\s'\";,]|,(?!\\s)|['\"](?![\\s,;&)\\]}]|$))+)");
    /** A userinfo that holds no secret: a user alone, or user:${VAR}. */
    private static final Pattern HARMLESS = Pattern.compile("^[^:@]*(?::\\$\\{[A-Za-z_][A-Za-z0-9_]*})?$");

    private Mask() {
    }

    /** Whether {@code s} holds what {@link #secrets} masks: a key naming a secret with its value, or a URL's password. */
    static boolean holdsSecret(String s) {
        return !Objects.equals(secrets(s), s);
    }

    static String secrets(String s) {
        if (s == null || s.isEmpty()) {
            return s;
        }
        Matcher m = SCHEMED.matcher(io.tenantctl.SecretValues.mask(s)); // what this process resolved into a URL: wherever it is
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String userinfo = m.group(2);
            String masked = HARMLESS.matcher(userinfo).matches() || userinfo.equals("***") ? userinfo
                    : userinfo.contains(":") ? userinfo.substring(0, userinfo.indexOf(':')) + ":***" : "***";
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + masked + "@"));
        }
        m.appendTail(out);
        String t = BARE.matcher(out.toString()).replaceAll(r -> Matcher.quoteReplacement(
                r.group(3).matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*}|\\*+") ? r.group() : r.group(1) + r.group(2) + ":***@"));
        return PARAM.matcher(t).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + "=***"));
    }
}
