package io.tenantctl.backup;

import io.tenantctl.TenantctlException;

/** A backup has files but no manifest.json: it was interrupted and must not be restored. Category FAILED. */
public class BackupIncompleteException extends TenantctlException {

    private final String orgId;
    private final String backupId;

    public BackupIncompleteException(String orgId, String backupId) {
        super(Category.FAILED, "backup " + backupId + " of org " + orgId
                + " has no manifest.json: it is incomplete (interrupted?); choose another backup");
        this.orgId = orgId;
        this.backupId = backupId;
    }

    public String orgId() {
        return orgId;
    }

    public String backupId() {
        return backupId;
    }
}
