package io.tenantctl;

/**
 * A count with its noun, as a line says it: "1 document", "2 documents", "0 backups"; nouns whose plural is not the
 * noun and an s take it: {@code of(n, "index", "indexes")}. A long list: its first few, and how many more ({@link #firstOf}).
 * What a line goes on to say of them agrees with the count: {@code they(n)}, {@code them(n)}, {@code their(n)},
 * {@code are(n)}, {@code were(n)} say "it", "it", "its", "is", "was" for one.
 */
public final class Counted {

    private Counted() {
    }

    public static String of(long n, String noun) {
        return of(n, noun, noun + "s");
    }

    public static String of(long n, String noun, String plural) {
        return n + " " + (n == 1 ? noun : plural);
    }

    /**
     * The first {@code shown} of {@code items} joined by {@code separator}, then how many more: "a, b, c and 4 more", "x;
     * y; and 4 more"; all of them when one alone is left over: naming it takes no more room than "and 1 more" would.
     */
    public static String firstOf(java.util.List<String> items, int shown, String separator) {
        return firstOf(items, items.size(), shown, separator, "");
    }

    /** As above, of {@code total} items, {@code items} their first ({@code shown} + 1 of them, to name a last one); {@code rest} said after "M more". */
    public static String firstOf(java.util.List<String> items, long total, int shown, String separator, String rest) {
        int named = total <= shown + 1L ? items.size() : Math.min(shown, items.size());
        return String.join(separator, items.subList(0, named))
                + (total <= named ? "" : (separator.equals(", ") ? " and " : separator + "and ") + (total - named) + " more" + rest);
    }

    /** "they", or "it" for a count of one. */
    public static String they(long n) {
        return n == 1 ? "it" : "they";
    }

    /** "them", or "it" for a count of one. */
    public static String them(long n) {
        return n == 1 ? "it" : "them";
    }

    /** "their", or "its" for a count of one. */
    public static String their(long n) {
        return n == 1 ? "its" : "their";
    }

    /** "are", or "is" for a count of one. */
    public static String are(long n) {
        return n == 1 ? "is" : "are";
    }

    /** "were", or "was" for a count of one. */
    public static String were(long n) {
        return n == 1 ? "was" : "were";
    }
}
