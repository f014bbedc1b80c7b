package io.tenantctl.catalog;

import java.util.Locale;

/** A pool's status as the pools table stores it: active pools take new orgs, draining and disabled ones do not. */
public enum PoolStatus {
    ACTIVE, DRAINING, DISABLED;

    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PoolStatus of(String db) {
        return Statuses.of(PoolStatus.class, db, "pool status");
    }

    @Override
    public String toString() {
        return db();
    }
}
