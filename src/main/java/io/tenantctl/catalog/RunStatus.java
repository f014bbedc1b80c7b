package io.tenantctl.catalog;

import java.util.Locale;

/** A run's status as the {@code runs} table stores it ({@link #ABANDONED} is derived: never stored). */
public enum RunStatus {
    RUNNING, SUCCEEDED, FAILED, ABORTED, INTERRUPTED, CANCELLED,
    /** Shown for a run still marked running whose every worker stopped renewing its leases: resume or cancel it. */
    ABANDONED;

    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunStatus of(String db) {
        return Statuses.of(RunStatus.class, db, "run status");
    }

    /** Whether the run is over (no worker will take another item). */
    public boolean ended() {
        return this != RUNNING && this != ABANDONED;
    }
}
