package io.tenantctl.fanout;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Set once (Ctrl-C, SIGTERM, an abort threshold): no new items start, in-flight ones finish. A child token is
 * cancelled by itself or by its parent, so an op can stop its own work without cancelling the caller's.
 */
public final class CancelToken {

    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final CancelToken parent;
    private volatile String reason;

    public CancelToken() {
        this(null);
    }

    private CancelToken(CancelToken parent) {
        this.parent = parent;
    }

    /** A token cancelled when this one is, or when it is cancelled itself. */
    public CancelToken child() {
        return new CancelToken(this);
    }

    public void cancel(String why) {
        if (cancelled.compareAndSet(false, true)) {
            reason = why;
        }
    }

    public boolean isCancelled() {
        return cancelled.get() || (parent != null && parent.isCancelled());
    }

    /**
     * Waits {@code nanos} unless this token is cancelled first (looked at every 20 ms), for loops that poll something
     * between tries and must stop at Ctrl-C within a moment: true when the time passed, false when the token was
     * cancelled or the thread interrupted (the interrupt is kept).
     */
    public boolean pause(long nanos) {
        return pause(nanos, null);
    }

    /**
     * As {@link #pause(long)}, and also ended early, true, when {@code wake} (if not null) gives this thread a permit,
     * which it takes: for a loop that other threads tell when there is something for it.
     */
    public boolean pause(long nanos, Semaphore wake) {
        long until = System.nanoTime() + nanos;
        while (!isCancelled()) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            long slice = Math.min(left, TimeUnit.MILLISECONDS.toNanos(20));
            if (wake == null) {
                LockSupport.parkNanos(slice);
            } else {
                try {
                    if (wake.tryAcquire(slice, TimeUnit.NANOSECONDS)) {
                        return true;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    public String reason() {
        return reason != null ? reason : parent != null ? parent.reason() : null;
    }

    /** The run this process works on now (its id and verb), for what a quit at once says. */
    public record Working(String runId, String verb) {
    }

    private volatile Working working;
    private volatile Runnable onQuit;

    /** Notes the run this process works on now (kept on the root token, where the signal handler reads it). */
    public void workingOn(String runId, String verb) {
        root().working = new Working(runId, verb);
        root().recorded = root().working;
    }

    /** The run this process recorded or named (--detach, --join, --resume) and works on or left to workers, or null. */
    private volatile Working recorded;

    /** Notes the run this process recorded or named, whether or not it works on it (what a lost catalog's error names). */
    public void recorded(String runId, String verb) {
        root().recorded = new Working(runId, verb);
    }

    /** The run this process recorded or named last ({@link #recorded(String, String)}, {@link #workingOn}), or null. */
    public Working recorded() {
        return root().recorded;
    }

    /** The run this process works on now, or null. */
    public Working working() {
        return root().working;
    }

    /** What {@link #quit} does before the process halts: say so, in the output's format. */
    public void onQuit(Runnable action) {
        root().onQuit = action;
    }

    /** The second Ctrl-C/SIGTERM: runs the {@link #onQuit} action (never throws); the caller then halts the process. */
    public void quit() {
        Runnable action = root().onQuit;
        if (action != null) {
            try {
                action.run();
            } catch (RuntimeException ignored) {
                // the process quits anyway
            }
        }
    }

    /** Before the command starts; then started, or interrupted first (the command then never starts). */
    private final java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger(BEFORE_START);
    private static final int BEFORE_START = 0;
    private static final int STARTED = 1;
    private static final int INTERRUPTED_BEFORE_START = 2;

    /**
     * A Ctrl-C/SIGTERM ({@code why}) before the command started ({@link #start}): cancels this token and returns true,
     * the command will not start and its refusal says so (the handler prints nothing); false once the command started,
     * or when a signal already came before it (a second one: quit at once).
     */
    public boolean cancelBeforeStart(String why) {
        if (!root().phase.compareAndSet(BEFORE_START, INTERRUPTED_BEFORE_START)) {
            return false;
        }
        cancel(why);
        return true;
    }

    /** The command starts: true, unless a signal came first ({@link #cancelBeforeStart}), when it must not. */
    public boolean start() {
        return root().phase.compareAndSet(BEFORE_START, STARTED) || root().phase.get() == STARTED;
    }

    /** Whether the command started ({@link #start}): a second signal quits it ({@link #quit}), else says its refusal ({@link #refuse}). */
    public boolean started() {
        return root().phase.get() == STARTED;
    }

    private static final int REFUSED = 3;
    private volatile Runnable onRefusal;

    /** What a second signal says of a command that did not start, set once the command line knows its output (-o json…). */
    public void onRefusal(Runnable action) {
        root().onRefusal = action;
    }

    /** The {@link #onRefusal} action, or null before it is set. */
    public Runnable refusal() {
        return root().onRefusal;
    }

    /**
     * Says, once, that a command a signal came before did not start: {@code say} runs in the first caller only (the command
     * line, or a second signal's handler, whose {@code say} halts the process), which holds the other until it is said, so
     * -o json's one document is never printed twice nor cut short. True when this call said it; false once the command
     * started, or when it was said already.
     */
    public boolean refuse(Runnable say) {
        java.util.concurrent.atomic.AtomicInteger at = root().phase;
        synchronized (at) {
            if (!at.compareAndSet(INTERRUPTED_BEFORE_START, REFUSED)) {
                return false;
            }
            say.run();
            return true;
        }
    }

    private CancelToken root() {
        return parent == null ? this : parent.root();
    }
}
