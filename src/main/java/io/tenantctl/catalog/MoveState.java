package io.tenantctl.catalog;

import java.util.Locale;

/** Where one move of an org between pools stands, as the moves table stores it ({@link #db()}). */
public enum MoveState {
    PLANNED, FROZEN, COPYING, VERIFYING, FLIPPED, RETAINED, CLEANED, ABORTED, REVERTED;

    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MoveState of(String db) {
        return Statuses.of(MoveState.class, db, "move state");
    }

    /** Before the pointer flip: a crash here is rolled back (target dropped, org back on its source). */
    public boolean beforeFlip() {
        return this == PLANNED || this == FROZEN || this == COPYING || this == VERIFYING;
    }

    /** Still owes a step: rolled back ({@link #beforeFlip}) or finished (flipped, to retained) by resume. */
    public boolean unfinished() {
        return beforeFlip() || this == FLIPPED;
    }

    @Override
    public String toString() {
        return db();
    }
}
