package io.tenantctl;

import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values this process put in place of {@code ${VAR}} placeholders in a URL's user info or query (a pool's password,
 * a proxy's), kept so that the last mask before stderr or an error document hides them wherever they appear: a library
 * that prints a resolved setting (the MongoDB driver logs a proxy's password at -v, between its own delimiters) leaves
 * no pattern to find where such a value ends, when it holds '&amp;', ' ' or ';'.
 */
public final class SecretValues {

    /** Shorter values are not kept: masking every "abc" in a message would hide more than a secret. */
    static final int MIN_LENGTH = 6;

    private static final Set<String> VALUES = ConcurrentHashMap.newKeySet();

    private SecretValues() {
    }

    /** Keeps {@code value} (and its percent-encoded form, as a URL carries it) to be masked from now on. */
    public static void add(String value, String encoded) {
        if (value != null && value.length() >= MIN_LENGTH) {
            VALUES.add(value);
            if (encoded != null && !encoded.equals(value)) {
                VALUES.add(encoded);
            }
        }
    }

    /** {@code s} with every value kept replaced by {@code ***}, the longest first (one may hold another). */
    public static String mask(String s) {
        if (s == null || VALUES.isEmpty()) {
            return s;
        }
        String out = s;
        for (String v : VALUES.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            if (out.contains(v)) {
                out = out.replace(v, "***");
            }
        }
        return out;
    }
}
