package io.tenantctl.store;

import io.tenantctl.TenantctlException;

/**
 * The store answered a write with a refusal that holds for every write (an S3 store: 401/403 access denied, credentials it no
 * longer takes, the bucket gone or in another region). A key that may read the bucket but not write it is refused before a run
 * ({@link S3ObjectStore#checkWritableWritingNothing}), but access can be withdrawn during one: a fact about the store, not about the org being
 * written, and the next org would be refused alike after its whole database was read for nothing, so a run stops on it
 * (CONFIG, exit 3), kept for --resume once the store takes writes. A delete refused so (a key that may write but not
 * delete, or neither) is one too: a prune none of whose deletes were taken says it once. {@link #in(Throwable)} finds it
 * behind an org's failure.
 */
public final class StoreRefusesWritesException extends TenantctlException {

    StoreRefusesWritesException(String message, Throwable cause) {
        super(Category.CONFIG, message, cause);
    }

    /** The store's refusal behind {@code t} (itself, or a cause), if that is what it is: a run stops on it. */
    public static java.util.Optional<StoreRefusesWritesException> in(Throwable t) {
        return causeOf(t, StoreRefusesWritesException.class);
    }
}
