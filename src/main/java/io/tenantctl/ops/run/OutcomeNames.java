package io.tenantctl.ops.run;

import io.tenantctl.catalog.ItemStatus;

/** How a verb names its items' outcomes in its report: migrate-all's "migrated" is provision's "provisioned". */
@FunctionalInterface
public interface OutcomeNames {

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

    /** Names with {@code success} for a succeeded item and {@code unfinished} for one not done or cancelled (not_started, pending). */
    static OutcomeNames of(String success, String unfinished) {
        return new OutcomeNames() {
            @Override
            public String success() {
                return success;
            }

            @Override
            public String of(ItemStatus status) {
                String word = OutcomeNames.super.of(status);
                return word.equals("not_done") || word.equals("cancelled") ? unfinished : word;
            }
        };
    }
}
