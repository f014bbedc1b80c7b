package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;

/** {@code tenantctl init}: migrate the catalog to this build's schema; idempotent. */
public final class Init {

    public record Result(String catalog, Integer fromVersion, int toVersion) {
        public boolean changed() {
            return fromVersion == null || fromVersion != toVersion;
        }
    }

    private final Catalog catalog;

    public Init(Catalog catalog) {
        this.catalog = catalog;
    }

    /** What {@link #run} would do, writing nothing; refuses (exit 3) a catalog from a newer tenantctl as run does. */
    public Result plan() {
        catalog.refuseNewer();
        return new Result(catalog.describe(), catalog.schemaVersion().orElse(null), Catalog.SCHEMA_VERSION);
    }

    public Result run() {
        Integer before = catalog.schemaVersion().orElse(null);
        int after = catalog.migrate();
        return new Result(catalog.describe(), before, after);
    }
}
