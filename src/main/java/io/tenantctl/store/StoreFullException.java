package io.tenantctl.store;

import io.tenantctl.TenantctlException;

/**
 * The store has no room for what was being written to it: a {@code file://} store's file system full (ENOSPC, "No space
 * left on device") or over its quota (EDQUOT, "Disk quota exceeded"); an S3 store that says it is out of room (MinIO's
 * {@code XMinioStorageFull}, HTTP 507, or a bucket quota, {@code XMinioAdminBucketQuotaExceeded}; Ceph's
 * {@code QuotaExceeded}). A fact about the store, not about the org being written: the next org fails alike after its
 * whole database was read for nothing, so a run stops on it (CONFIG, exit 3), kept for --resume once there is room.
 * {@link #in(String, Throwable)} is the one decision.
 */
public final class StoreFullException extends TenantctlException {

    /** How the OS words ENOSPC and EDQUOT. */
    private static final java.util.List<String> FULL = java.util.List.of("No space left on device", "Disk quota exceeded");

    /** The error codes an S3 store answers with when it has no room (AWS S3 itself has none: it does not fill up). */
    private static final java.util.Set<String> S3_FULL = java.util.Set.of("XMinioStorageFull", "XMinioAdminBucketQuotaExceeded", "QuotaExceeded");

    /** What to do about a full store. */
    public static final String REMEDY = "free space in it ('tenantctl backups prune' deletes the backups retention does not keep) or point"
            + " --store / TENANTCTL_STORE at another";

    private StoreFullException(String storeDescription, String why, Throwable cause) {
        super(Category.CONFIG, "cannot write to " + storeDescription + ": " + why + "; the store is full: " + REMEDY, cause);
    }

    /**
     * The store {@code storeDescription} being full behind {@code t} (itself, or a cause), if that is what it is: the one
     * line to stop on. Only what the store's own writes say counts — an I/O error, or an S3 answer — never a pool's
     * server quoting its own full disk.
     */
    public static java.util.Optional<StoreFullException> in(String storeDescription, Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof StoreFullException f) {
                return java.util.Optional.of(f);
            }
            String why = why(c);
            if (why != null) {
                return java.util.Optional.of(new StoreFullException(storeDescription, why, t));
            }
        }
        return java.util.Optional.empty();
    }

    /** The store's being full found earlier behind {@code t} (itself, or a cause), if any: a run stops on it. */
    public static java.util.Optional<StoreFullException> in(Throwable t) {
        return causeOf(t, StoreFullException.class);
    }

    /** Why {@code c} says the store is full, or null. */
    private static String why(Throwable c) {
        if (c instanceof java.io.IOException && c.getMessage() != null) {
            for (String full : FULL) {
                if (c.getMessage().contains(full)) {
                    return full;
                }
            }
        }
        if (c instanceof software.amazon.awssdk.services.s3.model.S3Exception s3) {
            String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            if ((code != null && S3_FULL.contains(code)) || s3.statusCode() == 507) { // 507 Insufficient Storage
                return (code == null ? "" : code + " ") + "(HTTP " + s3.statusCode() + ")";
            }
        }
        return null;
    }
}
