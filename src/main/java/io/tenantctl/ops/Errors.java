package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.pool.FerretErrors;

/** Turns a per-org failure into the one line recorded in run_items and shown in summaries. */
final class Errors {

    private Errors() {
    }

    static String oneLine(Throwable t) {
        if (t instanceof TenantctlException || t instanceof SchemaApply.StepFailure) {
            return t.getMessage();
        }
        return FerretErrors.describe(t);
    }
}
