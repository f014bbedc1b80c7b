package io.tenantctl.fanout;

import java.util.concurrent.atomic.AtomicBoolean;

/** Set once (Ctrl-C, SIGTERM, an abort threshold): no new items start, in-flight ones finish. */
public final class CancelToken {

    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile String reason;

    public void cancel(String why) {
        if (cancelled.compareAndSet(false, true)) {
            reason = why;
        }
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    public String reason() {
        return reason;
    }
}
