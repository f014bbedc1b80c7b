package io.tenantctl;

/**
 * tenantctl itself ran out of file descriptors (EMFILE, its {@code ulimit -n}; or ENFILE, the machine's): a socket to a
 * pool, a file of the store or a temp file could not be opened. A fact about this process, not about the pool, the
 * store or a backup it was opening: CONFIG (exit 3), never a finding (backup_corrupt, pool_unreachable, check_failed),
 * a damage mark or a failed org. Every place that turns a store's or a pool's failure into a fact about the fleet asks
 * {@link #in} first (one decision): what it finds is thrown, and a run stops on it to be resumed once the limit is
 * raised.
 */
public final class OutOfDescriptorsException extends TenantctlException {

    /** How the OS words EMFILE ("Too many open files") and ENFILE ("Too many open files in system"). */
    private static final String EMFILE = "Too many open files";

    /** What to do, said where a failure of {@code whose} (the pool, the store) is really this process's. */
    public static String remedy(String whose) {
        return "tenantctl, not the " + whose + ", is out of file descriptors: raise its limit, ulimit -n, or run fewer at once";
    }

    /** {@code message}, with {@link #remedy} after it when it is EMFILE/ENFILE. */
    public static String explained(String message, String whose) {
        return message != null && message.contains(EMFILE) && !message.contains("is out of file descriptors")
                ? message + " (" + remedy(whose) + ")" : message;
    }

    private OutOfDescriptorsException(String what, Throwable cause) {
        super(Category.CONFIG, "tenantctl ran out of file descriptors (" + what + "): raise its limit (ulimit -n) or run fewer at"
                + " once (a lower --concurrency), then run it again; nothing is known to be wrong with the pools or backups", cause);
    }

    /**
     * This process's own want of file descriptors behind {@code t} (itself, or a cause), if that is what it is: the
     * one line to end with. Empty when {@code t} is about what was being read or written.
     */
    public static java.util.Optional<OutOfDescriptorsException> in(Throwable t) {
        String what = null;
        boolean local = false; // said by this JVM (an I/O exception, the driver's summary of a socket it could not open), not by a server
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfDescriptorsException o) {
                return java.util.Optional.of(o);
            }
            String m = c.getMessage();
            if (m != null && m.contains(EMFILE)) {
                what = what == null ? m.lines().findFirst().orElse(m) : what;
                local |= c instanceof java.io.IOException || m.contains("SocketException: " + EMFILE);
            }
        }
        if (what == null || !local) { // a server's own error quoting its EMFILE (PostgreSQL under FerretDB) is the pool's
            return java.util.Optional.empty();
        }
        int said = what.indexOf(" (tenantctl, not the ");
        return java.util.Optional.of(new OutOfDescriptorsException(said < 0 ? what : what.substring(0, said), t));
    }

    /** Throws {@link #in}'s exception when {@code t} is this process's own want of file descriptors; returns otherwise. */
    public static void throwIfOurs(Throwable t) {
        java.util.Optional<OutOfDescriptorsException> ours = in(t);
        if (ours.isPresent()) {
            throw ours.get();
        }
    }
}
