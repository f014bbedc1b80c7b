package io.tenantctl;

/**
 * An expected failure with a category that decides the exit code. The message is one line an operator
 * can act on: what failed, on what, and what to do. It never contains a password.
 */
public class TenantctlException extends RuntimeException {

    /** What kind of failure this is; the CLI maps each to a documented exit code. */
    public enum Category {
        /** Bad input: unknown option, invalid org id, malformed manifest. Exit 2. */
        USAGE(2),
        /** Config or connectivity: catalog/store unreachable, lock held, catalog too new. Exit 3. */
        CONFIG(3),
        /** Some work failed; the rest was done. Exit 1. */
        FAILED(1),
        /** Stopped by Ctrl-C / SIGTERM before it was done, and rolled back to where it started. Exit 130. */
        INTERRUPTED(130),
        /** Something tenantctl did not expect (a bug): exit 1, reported with how to get the details. */
        INTERNAL(1);

        public final int exitCode;

        Category(int exitCode) {
            this.exitCode = exitCode;
        }
    }

    private final Category category;
    private String runId;

    public TenantctlException(Category category, String message) {
        super(message);
        this.category = category;
    }

    public TenantctlException(Category category, String message, Throwable cause) {
        super(message, cause);
        this.category = category;
    }

    public Category category() {
        return category;
    }

    /** The run this failure happened in, when one was already recorded (so -o json can name it). */
    public String runId() {
        return runId;
    }

    public TenantctlException withRunId(String runId) {
        if (this.runId == null) {
            this.runId = runId;
        }
        return this;
    }

    /**
     * How to give tenantctl's JVM more heap: scripts/tenantctl puts TENANTCTL_JAVA_OPTS on java's command line, where an
     * -Xmx wins over JAVA_TOOL_OPTIONS's; the image's entrypoint has none, so JAVA_TOOL_OPTIONS sets it there.
     */
    public static final String MORE_HEAP = "give the JVM more with TENANTCTL_JAVA_OPTS=-Xmx… (scripts/tenantctl) or "
            + "JAVA_TOOL_OPTIONS=-Xmx… (the image; the container's memory limit too)";

    /** The JVM ran out of memory: exit 1, saying how to give it more. */
    public static TenantctlException outOfMemory(OutOfMemoryError e) {
        return new TenantctlException(Category.FAILED, "ran out of memory (" + e.getMessage() + "): " + MORE_HEAP
                + ", then run it again", e);
    }

    /** A Ctrl-C or SIGTERM ({@code signal}, SIGINT or SIGTERM) that came before the command started: nothing was done. */
    public static TenantctlException interruptedBeforeStart(String signal) {
        return new TenantctlException(Category.INTERRUPTED, "interrupted by " + ("SIGTERM".equals(signal) ? "SIGTERM" : "Ctrl-C (SIGINT)")
                + " before the command started: nothing was done; run it again to do it");
    }

    /** The failure of {@code type} behind {@code t} (itself, or one of its causes), if any. */
    public static <T extends Throwable> java.util.Optional<T> causeOf(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return java.util.Optional.of(type.cast(c));
            }
        }
        return java.util.Optional.empty();
    }

    public static TenantctlException usage(String message) {
        return new TenantctlException(Category.USAGE, message);
    }

    public static TenantctlException config(String message, Throwable cause) {
        return new TenantctlException(Category.CONFIG, message, cause);
    }

    public static TenantctlException config(String message) {
        return new TenantctlException(Category.CONFIG, message);
    }
}
