package io.tenantctl.store;

import io.tenantctl.TenantctlException;

/**
 * The store did not answer (S3: no connection, or none within the socket timeout, after the client's retries): a fact about
 * the store, not about the key asked for, so the next key would wait as long for the same end (CONFIG, exit 3). A file
 * store whose directory is gone or replaced since it was opened (a volume unmounted mid-run) is not there to answer either.
 * {@link #in(Throwable)} finds it behind a failure.
 */
public final class StoreUnansweredException extends TenantctlException {

    StoreUnansweredException(String message, Throwable cause) {
        super(Category.CONFIG, message, cause);
    }

    /** The store's silence behind {@code t} (itself, or a cause), if that is what it is. */
    public static java.util.Optional<StoreUnansweredException> in(Throwable t) {
        return causeOf(t, StoreUnansweredException.class);
    }
}
