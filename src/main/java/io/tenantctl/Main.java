package io.tenantctl;

import io.tenantctl.cli.TenantCtl;
import io.tenantctl.fanout.CancelToken;
import sun.misc.Signal;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * The process entry point: sets up logging, turns the first Ctrl-C / SIGTERM into a cancellation (no new orgs,
 * in-flight provisions and migrations finish, backups stop, a restore rolls back; exit 130) and a second one into an immediate exit, then runs the CLI.
 */
public final class Main {

    private Main() {
    }

    /** Sum of the heap pools' peak usage: an upper bound on the most heap this process ever held (benchmarks). */
    static long peakHeapMb() {
        long bytes = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes / (1024 * 1024);
    }

    /**
     * Held here: java.util.logging keeps its loggers weakly, and a collected one forgets its level. Set by main once the
     * signal handlers are in (as a static initialiser it ran before them, and java.util.logging takes a while to start).
     */
    private static java.util.logging.Logger postgresDriverLog;

    /**
     * The line the first {@code signal} (INT or TERM) writes to stderr: on a {@code terminal} it first ends the line a
     * progress bar may be drawing (off one, no bar is drawn and an empty line would only lead the output); SIGTERM, sent by
     * systemd, Kubernetes or kill, is told to be sent again rather than to press a Ctrl-C its sender does not have.
     */
    static String interruptedLine(String signal, boolean terminal) {
        String what = "taking no new orgs; provisions, migrations and moves in flight finish, backups stop, a restore rolls back";
        return (terminal ? "\n" : "") + (signal.equals("TERM") ? "interrupted by SIGTERM: " + what + "; send SIGTERM again to quit at once"
                : "interrupted: " + what + " (press Ctrl-C again to quit at once)");
    }

    /**
     * The process's stdout, remembering why a write to it failed: a PrintWriter (as System.out) swallows the error, so a
     * command whose output went to a full disk ({@code schema export > schema.json}, a cron job's log) exited 0 with an
     * empty or cut file. A closed pipe ({@code | head}) is the reader's choice, not a failure.
     */
    static final class Stdout extends java.io.OutputStream {
        private final java.io.OutputStream fd;
        private java.io.IOException failure;

        Stdout() {
            this(new java.io.FileOutputStream(java.io.FileDescriptor.out));
        }

        Stdout(java.io.OutputStream fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            try {
                fd.write(b, off, len);
            } catch (java.io.IOException e) {
                failure = failure == null ? e : failure;
                throw e;
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            fd.flush();
        }

        /** The error line for output that could not be written (a full disk, an I/O error), or null: all of it was, or a pipe closed. */
        String lostOutput() {
            String why = failure == null ? null : String.valueOf(failure.getMessage());
            if (why == null || why.contains("Broken pipe")) {
                return null;
            }
            return "error: the output could not be written to stdout (" + why + "): it is lost or cut short;"
                    + " free space where stdout goes (or send it elsewhere) and run the command again";
        }
    }

    /**
     * The first Ctrl-C/SIGTERM cancels (before the command started, silently: the command's refusal says it), the second
     * quits at once; before the command started, saying that refusal (once: the command line may be saying it). A class,
     * not a lambda: the first lambda costs the JVM ~0.03 s, before the handler would be in.
     */
    private static final class OnSignal implements sun.misc.SignalHandler {
        private final String name;
        private final CancelToken cancel;
        private final PrintWriter out;
        private final PrintWriter err;
        private final String[] args;

        OnSignal(String name, CancelToken cancel, PrintWriter out, PrintWriter err, String[] args) {
            this.name = name;
            this.cancel = cancel;
            this.out = out;
            this.err = err;
            this.args = args;
        }

        @Override
        public void handle(Signal sig) {
            if (cancel.cancelBeforeStart("SIG" + name)) {
                return; // the command will not start, and says so
            }
            if (cancel.isCancelled()) {
                if (cancel.started()) {
                    cancel.quit(); // says which run is left as it was, and -o json's one document
                } else { // the refusal the command line would say (from the line alone until it knows the output), then out
                    Runnable say = cancel.refusal() != null ? cancel.refusal() : TenantCtl.refusal(out, err, cancel, args);
                    cancel.refuse(() -> {
                        try {
                            say.run();
                        } finally {
                            Runtime.getRuntime().halt(TenantCtl.EXIT_INTERRUPTED);
                        }
                    });
                }
                Runtime.getRuntime().halt(TenantCtl.EXIT_INTERRUPTED);
            }
            cancel.cancel("SIG" + name);
            System.err.println(interruptedLine(name, System.console() != null));
        }
    }

    public static void main(String[] args) {
        main(args, null);
    }

    /**
     * As {@link #main(String[])}; {@code handlersIn}, if not null, is told once the signal handlers are in (a test holds
     * the process there to send its signal). They are put in first of all, a few ms into main (they were ~0.4 s in, after
     * the config file was read and logging set up): a signal before them is the JVM's, which exits 130 and prints nothing,
     * not even -o json's one document. One after them but before the command started is said, once, by the command
     * line's refusal ({@link CancelToken#cancelBeforeStart}): exit 130, nothing done. A second one then (the process held
     * by a config file that does not answer) quits at once, saying that same refusal if the command line has not yet.
     */
    static void main(String[] args, java.util.function.Consumer<CancelToken> handlersIn) {
        CancelToken cancel = new CancelToken();
        // tenantctl's own lines are turned into JSON (--log-format json) by the CLI; the process's System.err, where
        // libraries log and the signal handler writes, by the wrapper set below
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        Stdout stdout = new Stdout();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new java.io.BufferedOutputStream(stdout), StandardCharsets.UTF_8), true);
        for (String name : new String[]{"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), new OnSignal(name, cancel, out, err, args));
            } catch (IllegalArgumentException ignored) {
                // signal not available on this platform
            }
        }
        if (handlersIn != null) {
            handlersIn.accept(cancel);
        }
        TenantCtl.ProcessSettings settings = TenantCtl.processSettings(System.getenv(), args);
        boolean verbose = settings.verbose();
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.mongodb.driver", verbose ? "info" : "error");
        // the catalog's connection pool logs a broken connection with its stack trace; tenantctl says it in one line
        System.setProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari", verbose ? "info" : "off");
        // and Flyway logs a failed migration (ERROR … Migration of schema "public" … failed!) before init's own line says it
        System.setProperty("org.slf4j.simpleLogger.log.org.flywaydb", verbose ? "info" : "off");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        // the PostgreSQL driver logs through java.util.logging, two lines a warning ("JDBC URL port: 99999 not valid")
        // before tenantctl's own one-line error says the same; with -v it keeps its warnings
        postgresDriverLog = java.util.logging.Logger.getLogger("org.postgresql");
        postgresDriverLog.setLevel(verbose ? java.util.logging.Level.WARNING : java.util.logging.Level.OFF);
        System.setErr(TenantCtl.stderr(System.err, settings.logJson()));
        int code = TenantCtl.run(out, err, System.getenv(), UnaryOperator.identity(), cancel, args);
        out.flush();
        String lost = stdout.lostOutput();
        if (lost != null) {
            System.err.println(lost); // through the --log-format wrapper, as the signal handler's line
            code = code == 0 ? 1 : code;
        }
        if (System.getenv("TENANTCTL_REPORT_HEAP") != null) {
            var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpuMs = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1_000_000 : -1;
            err.println("heap_peak_mb=" + peakHeapMb() + " cpu_ms=" + cpuMs);
        }
        System.exit(code);
    }
}
