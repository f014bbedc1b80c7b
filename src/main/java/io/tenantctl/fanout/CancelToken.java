package io.tenantctl.fanout;

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
        long until = System.nanoTime() + nanos;
        while (!isCancelled()) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
        }
        return false;
    }

    public String reason() {
        return reason != null ? reason : parent != null ? parent.reason() : null;
    }
}
