package io.tenantctl.ops.run;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.ItemStatus;

/** A verb's per-org work, as the {@link RunEngine} runs it. Implementations are called from many threads at once. */
public interface Job {

    /**
     * The operation recorded on the org's lease while this job works on it (provision, migrate, backup…), or null when
     * the job does not change the org and needs no lease.
     */
    String leaseOperation();

    /** Works on one org; returns how it ended, or throws {@link Failure} (any other exception fails it too, after 1 attempt). */
    Done work(String orgId, String poolId);

    /**
     * Told when the engine ends an org's item with its work not done ({@code why}), under the org's lease and before the
     * item is recorded: failed before the work (its pool does not answer, something else it needs stayed busy), or
     * cancelled as this worker's Ctrl-C stopped the work after a 'runs cancel' of the run, which leaves an org in flight to
     * its worker and so tells nobody else. Not told of an org another operation holds (its item failed past
     * --busy-timeout, or its pool not answering): the org is that operation's.
     */
    default void leftUndone(String orgId, String why) {
    }

    /** A job that works on each org with {@code work} (org id, pool id) under an org lease for {@code leaseOperation}. */
    static Job of(String leaseOperation, java.util.function.BiFunction<String, String, Done> work) {
        return of(leaseOperation, work, (orgId, error) -> { });
    }

    /** As {@link #of(String, java.util.function.BiFunction)}, with what to do about an org {@link #leftUndone} (org id, why). */
    static Job of(String leaseOperation, java.util.function.BiFunction<String, String, Done> work,
                  java.util.function.BiConsumer<String, String> leftUndone) {
        return new Job() {
            @Override
            public String leaseOperation() {
                return leaseOperation;
            }

            @Override
            public Done work(String orgId, String poolId) {
                return work.apply(orgId, poolId);
            }

            @Override
            public void leftUndone(String orgId, String why) {
                leftUndone.accept(orgId, why);
            }
        };
    }

    /**
     * How one org ended: its item status, attempts, error (failed only) and verb-specific detail (JSON, may be null). A
     * detail's {@code pool_id} is the pool the work was done on, when the org was moved after its item was planned.
     */
    record Done(ItemStatus status, int attempts, String error, String detailJson) {
        /** The pool the detail says the work was done on, or null. */
        String workedOn() {
            return new RunReport.Org(null, null, null, 0, 0, null, detailJson).detail().path("pool_id").asText(null);
        }
    }

    /**
     * Thrown by {@link #work} before it changed anything, when something it needs besides its org is busy (a move's
     * target pool): the item goes back to the run and is tried again later, like an org another operation holds.
     */
    final class Busy extends RuntimeException {
        private final boolean ownRun;

        public Busy(String why) {
            this(why, false);
        }

        /**
         * {@code ownRun}: what is busy is held by the item's own run (a move's target slot taken by another move of the
         * same run): the run's own throttle, a turn to wait for, not another operation in the way — no --busy-timeout.
         */
        public Busy(String why, boolean ownRun) {
            super(why, null, false, false);
            this.ownRun = ownRun;
        }

        public boolean ownRun() {
            return ownRun;
        }
    }

    /** A failed org with its attempts and detail. */
    final class Failure extends TenantctlException {
        private final int attempts;
        private final String detailJson;

        public Failure(String message, int attempts, String detailJson, Throwable cause) {
            super(Category.FAILED, message, cause);
            this.attempts = attempts;
            this.detailJson = detailJson;
        }

        public int attempts() {
            return attempts;
        }

        public String detailJson() {
            return detailJson;
        }
    }
}
