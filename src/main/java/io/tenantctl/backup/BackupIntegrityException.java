package io.tenantctl.backup;

import io.tenantctl.TenantctlException;

/**
 * A backup's content does not match its manifest (checksum, size or document count), cannot be
 * decompressed or parsed, or the manifest itself is malformed. Category FAILED; the message names the file.
 */
public class BackupIntegrityException extends TenantctlException {

    private final String file;

    public BackupIntegrityException(String file, String message) {
        super(Category.FAILED, message);
        this.file = file;
    }

    public BackupIntegrityException(String file, String message, Throwable cause) {
        super(Category.FAILED, message, cause);
        this.file = file;
    }

    /** The store key of the offending file. */
    public String file() {
        return file;
    }
}
