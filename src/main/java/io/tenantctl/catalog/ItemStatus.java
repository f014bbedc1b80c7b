package io.tenantctl.catalog;

import java.util.Locale;

/** A run item's status as {@code run_items} stores it. */
public enum ItemStatus {
    /** Waiting for a canary to pass. */
    HELD,
    /**
     * To be claimed: not started yet, handed back unstarted (its org busy, Ctrl-C as it was claimed), or stopped in its
     * work by a worker's Ctrl-C and rolled back (not failed: counted by no --max-failures nor canary).
     */
    PENDING,
    /** Claimed by a worker (under a lease). */
    RUNNING,
    SUCCEEDED,
    UNCHANGED,
    SKIPPED,
    FAILED,
    /** Never started: the run was cancelled. */
    CANCELLED;

    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ItemStatus of(String db) {
        return Statuses.of(ItemStatus.class, db, "run item status");
    }

    /**
     * Whether an item of this status, with a time, counts in its run's timings (p50/p95/max, per run and per pool): one the
     * run took to an end — succeeded, unchanged or failed; not one skipped, not started, or cancelled.
     */
    public boolean timed() {
        return this == SUCCEEDED || this == UNCHANGED || this == FAILED;
    }

    /** The statuses {@link #timed} takes, as an SQL list ({@code 'succeeded', ...}): the catalog's timings count the same items. */
    static final String TIMED_SQL = java.util.Arrays.stream(values()).filter(ItemStatus::timed).map(s -> "'" + s.db() + "'")
            .collect(java.util.stream.Collectors.joining(", "));

    /** Whether the item is done with (nothing more will happen to it in this run). */
    public boolean finished() {
        return this == SUCCEEDED || this == UNCHANGED || this == SKIPPED || this == FAILED || this == CANCELLED;
    }
}
