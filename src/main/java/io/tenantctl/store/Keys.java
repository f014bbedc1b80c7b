package io.tenantctl.store;

/** Validation of object keys and prefixes, shared by every {@link ObjectStore} implementation. */
public final class Keys {

    /** Names starting with this are the file store's in-flight uploads; keys may not use it. */
    static final String TEMP_MARKER = ".tenantctl-upload-";
    /** What a store's reachability check lists: nothing is kept there. */
    static final String PROBE_PREFIX = "tenantctl-store-probe/";

    /** What a listing of {@code prefix} that failed names: the store's objects for its top and for the check's probe, which no operator made. */
    static String listed(String prefix) {
        return prefix.isEmpty() || prefix.equals(PROBE_PREFIX) ? "objects" : prefix;
    }

    private Keys() {
    }

    /**
     * Checks an object key: non-empty '/'-separated segments, no leading or trailing '/', no {@code .} or
     * {@code ..} segment, no backslash or control character, at most 900 bytes.
     *
     * @throws IllegalArgumentException naming the key
     */
    public static String requireValid(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("object key must not be empty");
        }
        checkChars(key, "object key");
        if (key.startsWith("/") || key.endsWith("/")) {
            throw new IllegalArgumentException("object key must not start or end with '/': " + key);
        }
        for (String segment : key.split("/", -1)) {
            checkSegment(segment, key);
        }
        return key;
    }

    /**
     * Checks a listing prefix: {@code ""} or a string whose complete segments obey the key rules (the
     * last, partial segment may be empty, i.e. the prefix may end with '/').
     */
    public static String requireValidPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("prefix must not be null");
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        checkChars(prefix, "prefix");
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("prefix must not start with '/': " + prefix);
        }
        String[] segments = prefix.split("/", -1);
        for (int i = 0; i < segments.length - 1; i++) {
            checkSegment(segments[i], prefix);
        }
        String last = segments[segments.length - 1];
        if (last.equals("..") || last.startsWith(TEMP_MARKER)) {
            throw new IllegalArgumentException("invalid prefix: " + prefix);
        }
        return prefix;
    }

    /** Checks a {@link ObjectStore#children} prefix: {@code ""} or a valid prefix ending with '/'. */
    public static String requireDirectoryPrefix(String prefix) {
        requireValidPrefix(prefix);
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("a children() prefix must be empty or end with '/': " + prefix);
        }
        return prefix;
    }

    private static void checkChars(String s, String what) {
        if (s.length() > 900) {
            throw new IllegalArgumentException(what + " is too long (" + s.length() + " characters)");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw new IllegalArgumentException(what + " contains a control character or backslash: "
                        + s.replaceAll("\\p{Cntrl}", "?"));
            }
        }
    }

    private static void checkSegment(String segment, String key) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
            throw new IllegalArgumentException("object key has an empty, '.' or '..' segment: " + key);
        }
        if (segment.startsWith(TEMP_MARKER)) {
            throw new IllegalArgumentException("object key uses the reserved name " + TEMP_MARKER + ": " + key);
        }
    }
}
