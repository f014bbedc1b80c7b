package io.tenantctl.store;

import io.tenantctl.TenantctlException;

/**
 * The store refuses writes under one folder, where the rest of it takes them ({@link ObjectStore#checkWritableWritingNothing(String)}:
 * a {@code file://} store's org folder an earlier backup made as another user, or immutable): CONFIG (exit 3) for a command
 * naming that org; an org of a fleet's backup fails on it, the others backed up, and its run records it on the org's item
 * ({@code store_refuses_writes} in its detail), which its next step (access to give first) goes by, however the message is
 * worded. Not a {@link StoreRefusesWritesException}: that one holds for every write, and stops the run.
 */
public final class FolderRefusesWritesException extends TenantctlException {

    FolderRefusesWritesException(String message, Throwable cause) {
        super(Category.CONFIG, message, cause);
    }
}
