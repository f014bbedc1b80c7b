package io.tenantctl.store;

import io.tenantctl.IoErrors;
import io.tenantctl.TenantctlException;

/**
 * An object key this JVM cannot name as a file: its file-name encoding (the locale's, ASCII under a C or POSIX locale)
 * has no bytes for a character of the key ({@code bücher}). The machine's environment, not the store's content: CONFIG
 * (exit 3), never a missing or damaged object; a run meets it on every org whose keys have such a character, so it
 * stops the run ({@link #in}).
 */
public final class UnnameableKeyException extends TenantctlException {

    UnnameableKeyException(String key, String storeDescription, Throwable cause) {
        super(Category.CONFIG, "object key " + key + " cannot be named as a file in " + storeDescription + ": "
                + IoErrors.fileNamesNotUtf8(), cause);
    }

    /** The unnameable key behind {@code t} (itself, or one of its causes), if any. */
    public static java.util.Optional<UnnameableKeyException> in(Throwable t) {
        return causeOf(t, UnnameableKeyException.class);
    }
}
