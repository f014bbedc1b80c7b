package io.tenantctl.catalog;

import java.util.Arrays;
import java.util.Locale;

/** An org's lifecycle status, as the orgs table stores it ({@link #db()}). */
public enum OrgStatus {
    PROVISIONING, ACTIVE, READ_ONLY, MOVING, RESTORING, DELETING, DELETED, FAILED;

    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status a catalog row (or a user) spells {@code db}; an unknown one is a usage error listing the known ones. */
    public static OrgStatus of(String db) {
        for (OrgStatus s : values()) {
            if (s.db().equals(db)) {
                return s;
            }
        }
        throw io.tenantctl.TenantctlException.usage("unknown org status '" + db + "' (one of "
                + String.join(", ", Arrays.stream(values()).map(OrgStatus::db).sorted().toList()) + ")");
    }

    @Override
    public String toString() {
        return db();
    }
}
