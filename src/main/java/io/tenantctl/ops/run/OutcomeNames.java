package io.tenantctl.ops.run;

import io.tenantctl.catalog.ItemStatus;

/** How a verb names its items' outcomes in its report: migrate-all's "migrated" is provision's "provisioned". */
@FunctionalInterface
public interface OutcomeNames {

    /** The one word for an org no worker finished: not started yet, interrupted before it or in it (rolled back), or cancelled. */
    String NOT_STARTED = "not_started";

    String success();

    /** The report's word for an item status: pending, held and running items are "not_done" (leased but unfinished included). */
    default String of(ItemStatus status) {
        return switch (status) {
            case SUCCEEDED -> success();
            case UNCHANGED -> "unchanged";
            case SKIPPED -> "skipped";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
            case HELD, PENDING, RUNNING -> "not_done";
        };
    }

    /**
     * What of an item's recorded detail the report's line holds: all of it, unless the verb reads it back from the run's
     * items itself (verify: a fleet's findings are many, and held in the catalog).
     */
    default String detail(String detailJson) {
        return detailJson;
    }

    /** Whether {@link #detail} uses the detail it is given: if not, the report does not read it from the catalog. */
    default boolean usesDetail() {
        return true;
    }

    /** These names, for a report whose lines hold none of their items' detail. */
    default OutcomeNames withoutDetail() {
        return narrowed(this, false, keepsLines());
    }

    /**
     * Whether the report holds each org's line: if not, the engine's report is its counts, timings and slowest orgs, worked
     * out by the catalog ({@link RunReport#holdsLines}), so that a fleet's lines are never held for a summary that needs none.
     */
    default boolean keepsLines() {
        return true;
    }

    /** These names, for a report without its orgs' lines (see {@link #keepsLines}). */
    default OutcomeNames withoutLines() {
        return narrowed(this, usesDetail(), false);
    }

    /** {@code names} reporting only what {@code usesDetail} and {@code keepsLines} let them. */
    private static OutcomeNames narrowed(OutcomeNames names, boolean usesDetail, boolean keepsLines) {
        return new OutcomeNames() {
            @Override
            public String success() {
                return names.success();
            }

            @Override
            public String of(ItemStatus status) {
                return names.of(status);
            }

            @Override
            public String detail(String detailJson) {
                return usesDetail ? names.detail(detailJson) : null;
            }

            @Override
            public boolean usesDetail() {
                return usesDetail;
            }

            @Override
            public boolean keepsLines() {
                return keepsLines;
            }
        };
    }

    /**
     * Names with {@code success} for a succeeded item; an item not done or cancelled is {@code not_started} in every
     * verb, so that tools reading any verb's -o json count the same word.
     */
    static OutcomeNames of(String success) {
        return new OutcomeNames() {
            @Override
            public String success() {
                return success;
            }

            @Override
            public String of(ItemStatus status) {
                String word = OutcomeNames.super.of(status);
                return word.equals("not_done") || word.equals("cancelled") ? NOT_STARTED : word;
            }
        };
    }
}
