package io.tenantctl;

/**
 * A count with its noun, as a line says it: "1 document", "2 documents", "0 backups"; nouns whose plural is not the
 * noun and an s take it: {@code of(n, "index", "indexes")}.
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
}
