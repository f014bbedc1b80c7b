package io.tenantctl.fanout;

import java.util.concurrent.atomic.AtomicBoolean;

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

    public String reason() {
        return reason != null ? reason : parent != null ? parent.reason() : null;
    }
}
