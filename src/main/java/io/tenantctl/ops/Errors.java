package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.pool.FerretErrors;

/** Turns a per-org failure into the one line recorded in run_items and shown in summaries; stops interrupted work. */
public final class Errors {

    private Errors() {
    }

    public static String oneLine(Throwable t) {
        if (t instanceof TenantctlException || t instanceof SchemaApply.StepFailure) {
            return t.getMessage();
        }
        return FerretErrors.describe(t);
    }

    /** Throws an INTERRUPTED failure ("interrupted " + {@code when}) once {@code cancel} is set (Ctrl-C, SIGTERM). */
    static void stopIfCancelled(CancelToken cancel, String when) {
        if (cancel.isCancelled()) {
            throw new TenantctlException(TenantctlException.Category.INTERRUPTED, "interrupted " + when);
        }
    }
}
