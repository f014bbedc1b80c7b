package io.tenantctl;

/** A count with its noun, as a line says it: "1 document", "2 documents", "0 backups" (nouns whose plural takes an s). */
public final class Counted {

    private Counted() {
    }

    public static String of(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
