package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.pool.FerretErrors;

/** Turns a per-org failure into the one line recorded in run_items and shown in summaries; stops interrupted work. */
public final class Errors {

    private Errors() {
    }

    /**
     * Whether a rollout's line {@code o} (of its result, or read back from its run) is its refusal of an org whose database
     * is gone (a re-run refuses it again): by the {@code database_gone} its item records, not by its message's wording.
     */
    public static boolean dataGone(io.tenantctl.ops.run.RunReport.Org o) {
        return SchemaApply.dataGone(o.detailJson());
    }

    public static String oneLine(Throwable t) {
        if (t instanceof TenantctlException || t instanceof SchemaApply.StepFailure) {
            return t.getMessage();
        }
        return FerretErrors.describe(t);
    }

    /**
     * A failure that reached the command unnamed ({@code t}: a driver's error, a step's, no op's own line) that is a pool's
     * silence (its connection lost, refused, timed out), as the config error (exit 3) it is, not a bug: "a pool stopped
     * answering: why — 'tenantctl pools stats' names which one …". This process's own want of descriptors is said as such.
     * Empty for anything else, and for a Ctrl-C that cut a retry short (that is an interruption).
     */
    public static java.util.Optional<TenantctlException> unnamedPoolSilence(Throwable t) {
        if (t instanceof TenantctlException || !FerretErrors.notAnswering(t) || io.tenantctl.pool.Retry.cutShort(t)) {
            return java.util.Optional.empty();
        }
        java.util.Optional<io.tenantctl.OutOfDescriptorsException> ours = io.tenantctl.OutOfDescriptorsException.in(t);
        return ours.isPresent() ? java.util.Optional.of(ours.get()) : java.util.Optional.of(TenantctlException.config("a pool"
                + TenantctlException.causeOf(t, com.mongodb.MongoSocketException.class).map(s -> " at " + s.getServerAddress()).orElse("")
                + " stopped answering: " + oneLine(t) + " — 'tenantctl pools stats' names which pool does not answer; run it again once it answers", t));
    }

    /**
     * Why a backup could not be written to {@code store}, in one line. A store whose file system is full (ENOSPC, or a
     * quota: EDQUOT) says so and what to do: "cannot write to …: No space left on device" with a "next: tenantctl backup
     * --org ORG" that fails the same way told an operator at 3 a.m. what broke but not how out.
     */
    static String cannotBackUpTo(io.tenantctl.store.ObjectStore store, Exception e) {
        String why = e instanceof java.io.IOException ? "cannot write to " + store.describe() + ": " + e.getMessage() : oneLine(e);
        return io.tenantctl.store.StoreFullException.in(store.describe(), e).isPresent()
                ? why + "; the store is full: " + io.tenantctl.store.StoreFullException.REMEDY + ", then back up again" : why;
    }

    /**
     * What a backup to {@code store} that failed on {@code e} failed of: the store's being full (a
     * {@link io.tenantctl.store.StoreFullException}, on which a run stops: every next org would fail alike after its whole
     * database was read), or {@code e} itself.
     */
    static Throwable backUpFailedOf(io.tenantctl.store.ObjectStore store, Exception e) {
        return io.tenantctl.store.StoreFullException.in(store.describe(), e).<Throwable>map(f -> f).orElse(e);
    }

    /**
     * {@code error}, what work that threw {@code e} says of it: when a Ctrl-C cut short the backoff of a call the pool
     * failed that was to be retried ({@link io.tenantctl.pool.Retry#cutShort}), that it was interrupted, not failed by it.
     */
    public static String cutShort(Throwable e, String error) {
        return io.tenantctl.pool.Retry.cutShort(e) ? "interrupted (while a call the pool failed waited to be retried: " + error + ")" : error;
    }

    /** Why a deleting verb (prune, gc, purge) stopped by Ctrl-C/SIGTERM kept what it had not reached. */
    static final String NOT_REACHED = "interrupted (Ctrl-C/SIGTERM) before it was reached: nothing done; run it again";

    /** Throws an INTERRUPTED failure ("interrupted " + {@code when}) once {@code cancel} is set (Ctrl-C, SIGTERM). */
    static void stopIfCancelled(CancelToken cancel, String when) {
        stopIf(cancel.isCancelled(), when);
    }

    /** As {@link #stopIfCancelled(CancelToken, String)}, for an op that reads only (its context knows of Ctrl-C). */
    static void stopIfCancelled(OpsContext ctx, String when) {
        stopIf(ctx.retry().cancelled(), when);
    }

    private static void stopIf(boolean cancelled, String when) {
        if (cancelled) {
            throw new TenantctlException(TenantctlException.Category.INTERRUPTED, "interrupted " + when);
        }
    }

    /**
     * Waits while {@code busy} names what is in the way (null once nothing is), asking it again every {@code pollNanos}.
     * The wait is said once on stderr: one that says nothing looks hung at 3 a.m. Ctrl-C/SIGTERM ends it at once (exit
     * 130): "stopped waiting: " + what was in the way + {@code after}. A caller that must not wait throws its refusal from
     * {@code busy}.
     */
    public static void waitWhile(OpsContext ctx, CancelToken cancel, long pollNanos, java.util.function.Supplier<String> busy, String after) {
        boolean said = false;
        for (String what = busy.get(); what != null; what = busy.get()) {
            if (!said) {
                ctx.notices().accept("waiting (--wait): " + what + "; Ctrl-C stops waiting");
                said = true;
            }
            if (!cancel.pause(pollNanos)) {
                throw new TenantctlException(TenantctlException.Category.INTERRUPTED, "stopped waiting: " + what + after);
            }
        }
    }
}
