package io.tenantctl.cli;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last guard before anything reaches stderr or an error document: whatever looks like a credential in a URL, a
 * {@code password=} parameter, a JSON or dict member, an option's value or a quoted {@code KEY: value} is masked,
 * whichever code path quoted it (picocli echoing an argument it could not match, a refusal quoting the URL it refused).
 * Each parser redacts what it knows; this catches what they did not foresee, such as a password holding '/', '?', '#'
 * or '@', or a URL typed without its scheme. Harmless text is left as it was: an e-mail address, prose naming a password.
 */
final class Mask {

    /**
     * What ends a quoted token after its closing quote: a space, a list's ',' or ';', a ':' (a quoted URL then what was
     * wrong with it), a closing bracket, the end. A quote followed by anything else is a password's own ('pa"ss', "pa'ss",
     * JSON-escaped 'pa\\"ss'), as are '<' and '>'.
     */
    private static final String CLOSES = "(?![\\s,;:)\\]}]|$)";
    /**
     * A quote followed by what would end a token, with what follows it, is a password's own too ('pa',ss', "pa\" ss",
     * 'pa>)ss') when the URL goes on from there — straight on, not with another quoted item (',\'…') nor a key='value' — to
     * its '@' and host, and then ends: at a closing quote, or (a URL not in quotes, {@code ends} says) at a space or the end.
     * The look ahead is bounded (256 characters, more than a password's), so a long line of quotes costs little.
     */
    private static String ownQuote(String ends) {
        String more = "[ \\t,;:)\\]}]++";
        String goesOn = "(?:[^\\s'\"<>]|(?<![:=])['\"<>]" + CLOSES + "|(?<![:=])['\"<>]" + more + "(?=[^\\s'\"<>])){0,256}";
        return "['\"<>](?=" + more + "[^\\s'\"<>]" + goesOn + "@[^\\s'\"<>@]*" + ends + ")" + more;
    }

    private static final String ENDS_QUOTED = "['\"<>]+(?:[\\s,;:)\\]}]|$)";
    /** One character of a token in quotes: anything but a space, or a quote, '<' or '>' that does not close it. */
    private static final String TOKEN_CHAR = "(?:[^\\s'\"<>]|['\"<>]" + CLOSES + "|" + ownQuote(ENDS_QUOTED) + ")";
    /** The same in a URL not in quotes, which also ends at a space or the end. */
    private static final String PLAIN_TOKEN_CHAR = "(?:[^\\s'\"<>]|['\"<>]" + CLOSES + "|" + ownQuote("(?:" + ENDS_QUOTED + "|\\s|$)") + ")";

    /**
     * scheme:// (or scheme:/), whose userinfo runs up to the last '@' of the token: the driver's reading of userinfo.
     * Groups 1 for a URL right after a quote or '<', 2 for one that is not. The token itself is walked by {@link #QUOTED}
     * or {@link #PLAIN}, possessively, and its last '@' found by hand: a regex backing off a token character by character
     * to find it recursed once a character, and a token of some 40,000 characters with no '@' overflowed the stack.
     */
    private static final String SCHEME = "([A-Za-z][A-Za-z0-9+.-]*:/{1,2})";
    private static final Pattern SCHEMED = Pattern.compile("(?<=['\"<])" + SCHEME + "|(?<!['\"<A-Za-z0-9+.-])" + SCHEME);
    private static final Pattern QUOTED = Pattern.compile(TOKEN_CHAR + "*+");
    private static final Pattern PLAIN = Pattern.compile(PLAIN_TOKEN_CHAR + "*+");
    /**
     * user:password@host without a scheme: the password up to the token's last '@' followed by a host ('@' and '/' in it
     * included, a host mistyped included), as the driver reads userinfo; never across a scheme's "://" (a URL quoted after
     * a name and colon). Group 1 what goes before, 2 the user; the password is walked by {@link #BARE_PASSWORD}.
     */
    private static final Pattern BARE = Pattern.compile("(^|[\\s'\"=(,])([A-Za-z0-9._%+-]+):");
    private static final Pattern BARE_PASSWORD = Pattern.compile("(?!/)" + TOKEN_CHAR + "(?:(?!://)" + TOKEN_CHAR + ")*+");
    /**
     * A key=value whose key names a secret: {@code password=}, {@code proxyPassword=}, and an environment file's own lines
     * ({@code POOL1_PASSWORD=}, {@code AWS_SECRET_ACCESS_KEY=}, {@code AWS_SESSION_TOKEN=}); the key is kept, so what was
     * quoted can still be told. The value ends at '&', ';', a quote that closes it, a space, or a comma followed by a space
     * (a list's, as in the driver's {@code password=<hidden>, mechanismProperties=…}); a comma inside a password is masked
     * with it, and so is a quote that does not close it. A value in quotes (an environment file's
     * {@code POOL1_PASSWORD="s3 cr3t"}) is masked to its closing quote, spaces and all; with none before the line ends, to
     * its last quote. The key is found by a look ahead for the word, and each repetition is possessive, so a value or key
     * of 64 KB neither overflows the stack nor backs off character by character.
     */
    private static final String SECRET_WORD = "(?:password|passwd|pwd|secret|token|credential|api[_-]?key|private[_-]?key"
            + "|session[_-]?key)";
    private static final String KEY = "(?=[A-Za-z0-9_.-]*?" + SECRET_WORD + ")[A-Za-z0-9_.-]*+";
    private static final Pattern PARAM = Pattern.compile("(?i)(?<![A-Za-z0-9_.-])(" + KEY + ")=((['\"])(?:(?!\\3(?:[\\s,;&)\\]}]|$)).)*+\\3"
            + "|(['\"])[^\\n\\r\\u0085\\u2028\\u2029]*\\4|(?:[^&\\s'\";,]|,(?!\\s)|['\"](?![\\s,;&)\\]}]|$))++)");
    /**
     * A value that only stands for one, as advice writes it: {@code export POOL3_PASSWORD=…}, {@code X_PASSWORD=...},
     * {@code X_PASSWORD=<password>} (words of one case naming a secret, no digit: {@code <PASSWORD>}, {@code <pool-password>}),
     * in quotes or not, a closing bracket or full stop after it. Kept, so the operator sees which variable to set; any
     * other value after such a key is masked, {@code X_PASSWORD=hunter2} and {@code X_PASSWORD=…x} alike.
     */
    private static final Pattern PLACEHOLDER = Pattern.compile("(['\"]?+)(?:…|\\.\\.\\.|<(?=[a-z_ -]++>|[A-Z_ -]++>)[A-Za-z_ -]*?(?i:"
            + SECRET_WORD + ")[A-Za-z_ -]*+>)\\1[)\\]}.]*+");
    /** What closes a quoted item: a space, a list's ',' or ';', ':', a closing bracket, a JSON string's quote, the end. */
    private static final String CLOSING = "(?:[\\s,;:)\\]}\"\\\\]|$)";
    /**
     * A value in the quote {@code q} (a back reference) that opens it: up to the quote that closes it, one followed by what
     * ends a quoted item ({@code 'pa'ss'} is masked whole); with none before the line ends, to the line's last such quote,
     * as KEY="…" is. An empty one is none. A start whose scan finds no such quote leaves none in its line to start another
     * from, so a line is read a bounded number of times, however many keys it repeats.
     */
    private static String inQuotes(String q) {
        return "(?!" + q + CLOSING + ")(?:(?:(?!" + q + CLOSING + ").)++(?=" + q + ")|[^\\n\\r\\u0085\\u2028\\u2029]*(?=" + q + "))";
    }

    /**
     * The same keys as members of a JSON document or a Python or JavaScript dict ({@code {"password":"x"}}, a MongoDB
     * command's {@code "pwd": "x"}, {@code {'password': 'x'}}, {@code "token":123}), also in JSON quoted in a JSON string
     * ({@code \"password\":\"x\"}): the value masked to {@code "***"} in its own quotes (a number in the key's, so JSON
     * stays JSON), escapes and all; the key kept. A value in single quotes ends at a quote that closes it, as a
     * key='value' does ({@code 'pa\'s, s'} is masked whole); null, true, false and None are no secret.
     */
    private static final String NUMBER = "-?+\\d++(?:\\.\\d++)?+(?:[eE][+-]?+\\d++)?+(?![A-Za-z0-9_.-])";
    private static final Pattern JSON_MEMBER = Pattern.compile("(?i)(['\"])(" + KEY + ")\\1(\\s*:\\s*)(\"(?:\\\\.|[^\\\\\"])++\""
            + "|'" + inQuotes("'") + "'|" + NUMBER + ")"
            + "|(\\\\\")(" + KEY + ")\\\\\"(\\s*:\\s*)(?:\\\\\"(?:\\\\\\\\(?:\\\\.|[^\\\\\"])|\\\\[^\\\\\"]|[^\\\\\"])++\\\\\"|" + NUMBER + ")");
    /**
     * An option naming a secret and its value, as picocli quotes what it could not match ({@code '--password', 'x'}) or a
     * command line is echoed ({@code --password x}, {@code --token 'a b'}): the value masked, the option kept. Not a
     * flag's ({@code --allow-inline-password}, {@code --no-…}), nor an option that follows ({@code --pool}, {@code -o}).
     */
    private static final String OPTION = "--(?!allow-|no-)" + KEY;
    private static final String NOT_AN_OPTION = "(?!--|-[A-Za-z](?:[\\s,'\"]|$))";
    private static final Pattern OPTION_VALUE = Pattern.compile("(?i)(['\"])(" + OPTION + ")\\1(,[ \\t]*+|[ \\t]++)\\1" + NOT_AN_OPTION
            + inQuotes("\\1") + "\\1|(?<![A-Za-z0-9_.'\"-])(" + OPTION + ")([ \\t]++)" + NOT_AN_OPTION
            + "(?:\"(?:\\\\.|[^\\\\\"])*+\"|'[^']*+'|(?:[^\\s'\"]|['\"](?!" + CLOSING + "))++)");
    /**
     * A quoted item opening with a key naming a secret, a colon and its value, YAML's KEY: value: an error quoting a line
     * of a compose file read as an org list ({@code 'POSTGRES_PASSWORD: x'}); masked to the item's closing quote. Only in
     * quotes: in prose "name: what" is our own style, and a collection or org named "password_resets" no secret.
     */
    private static final Pattern QUOTED_KEY_COLON = Pattern.compile("(?i)(['\"])(" + KEY + ":[ \\t]*+)(" + inQuotes("\\\\?+\\1")
            + ")(\\\\?+\\1)");
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
        String t = bare(schemed(io.tenantctl.SecretValues.mask(s))); // what this process resolved into a URL: wherever it is
        t = JSON_MEMBER.matcher(t).replaceAll(r -> {
            int g = r.group(1) != null ? 1 : 5;
            String quote = g == 1 && (r.group(4).startsWith("\"") || r.group(4).startsWith("'")) ? r.group(4).substring(0, 1) : r.group(g);
            return Matcher.quoteReplacement(r.group(g) + r.group(g + 1) + r.group(g) + r.group(g + 2) + quote + "***" + quote);
        });
        t = OPTION_VALUE.matcher(t).replaceAll(r -> Matcher.quoteReplacement(r.group(1) != null
                ? r.group(1) + r.group(2) + r.group(1) + r.group(3) + r.group(1) + "***" + r.group(1) : r.group(4) + r.group(5) + "***"));
        t = QUOTED_KEY_COLON.matcher(t).replaceAll(r -> Matcher.quoteReplacement(r.group(3).startsWith("***")
                || r.group(3).matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*}") ? r.group()
                : r.group(1) + r.group(2) + "***" + (r.group(3).endsWith("\\") ? "\\" : "") + r.group(4)));
        // a ${VAR} a stored URI holds for its secret is no secret (as user:${VAR}@ is not), a closing bracket after it its line's
        return PARAM.matcher(t).replaceAll(r -> Matcher.quoteReplacement(PLACEHOLDER.matcher(r.group(2)).matches()
                || r.group(2).matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*}[)\\]}.]*+") ? r.group() : r.group(1) + "=***"));
    }

    /** Each URL's userinfo masked, its user kept: up to the token's last '@'. */
    private static String schemed(String s) {
        StringBuilder out = new StringBuilder();
        Matcher m = SCHEMED.matcher(s);
        int copied = 0;
        int from = 0;
        int[] walked = {-1, -1}; // where a walk that found no '@' ended, quoted and plain: one from before it ends there too
        while (from <= s.length() && m.find(from)) {
            from = m.start() + 1;
            int plain = m.group(1) != null ? 0 : 1;
            int start = m.end();
            if (start < walked[plain]) {
                continue;
            }
            int end = walk(plain == 0 ? QUOTED : PLAIN, s, start);
            int at = s.lastIndexOf('@', end - 1);
            if (at < start) {
                walked[plain] = end;
                walked[0] = Math.max(walked[0], end); // a token in quotes ends where one not in quotes does, or before
                continue;
            }
            String userinfo = s.substring(start, at);
            String masked = HARMLESS.matcher(userinfo).matches() || userinfo.equals("***") ? userinfo
                    : userinfo.contains(":") ? userinfo.substring(0, userinfo.indexOf(':')) + ":***" : "***";
            out.append(s, copied, start).append(masked).append('@');
            copied = at + 1;
            from = at + 1;
        }
        return out.append(s, copied, s.length()).toString();
    }

    /** Each scheme-less user:password@host's password masked, unless a ${VAR} or already masked. */
    private static String bare(String s) {
        StringBuilder out = new StringBuilder();
        Matcher m = BARE.matcher(s);
        int copied = 0;
        int from = 0;
        int walked = -1; // where a walk that found no '@' followed by a host ended: one from before it finds none either
        while (from <= s.length() && m.find(from)) {
            from = m.start() + 1;
            int start = m.end();
            if (start < walked) {
                continue;
            }
            int end = walk(BARE_PASSWORD, s, start);
            int at = end - 1;
            while (at > start && (s.charAt(at) != '@' || at + 1 == s.length() || " \t\n\u000B\f\r'\"".indexOf(s.charAt(at + 1)) >= 0)) {
                at--;
            }
            if (end < 0 || at <= start) {
                walked = end;
                continue;
            }
            if (heldInQuotes(s, m.start(1) == m.end(1) ? "" : s.substring(Math.max(0, m.start(1) - 1), m.end(1)), start, end, at)) {
                continue; // by:'ops@example.com': a quoted value holding the '@'; a user:password@ in it is found next
            }
            if (!s.substring(start, at).matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*}|\\*+")) {
                out.append(s, copied, start).append("***");
                copied = at;
            }
            from = at + 1;
        }
        return out.append(s, copied, s.length()).toString();
    }

    /**
     * Whether the value from {@code start} opens with a quote ({@code '}, {@code "}, or {@code \\"} in a JSON string) that
     * closes (a space, ',', ';', ':', a bracket, a quote, the end following it) after {@code at}, by {@code end}: then the
     * '@' is the quoted value's own (by:'ops@example.com'), not a password's end. Not when the same quote opened the token
     * before the name ('u:'p@ss@h'): that closing quote may be the token's own.
     */
    private static boolean heldInQuotes(String s, String before, int start, int end, int at) {
        int q = s.startsWith("\\", start) ? start + 1 : start;
        if (q >= s.length() || (s.charAt(q) != '\'' && s.charAt(q) != '"')) {
            return false;
        }
        String open = s.substring(start, q + 1);
        if (before.endsWith(open)) {
            return false;
        }
        int close = q + 1;
        while (close <= end && !s.startsWith(open, close)) { // no further than the walk went: linear, as the walk is
            close++;
        }
        return close > at && close <= end && (close + open.length() == s.length()
                || " \t\n\u000B\f\r,;:)]}\"\\".indexOf(s.charAt(close + open.length())) >= 0);
    }

    /** Where {@code token}, walked possessively from {@code from}, ends; -1 if it cannot start there. */
    private static int walk(Pattern token, String s, int from) {
        Matcher w = token.matcher(s).region(from, s.length()).useTransparentBounds(true).useAnchoringBounds(false);
        return w.lookingAt() ? w.end() : -1;
    }
}
