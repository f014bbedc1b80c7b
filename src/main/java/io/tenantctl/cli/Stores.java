package io.tenantctl.cli;

import io.tenantctl.store.ObjectStore;
import io.tenantctl.store.ObjectStores;

/** Opens the object store named by --store / TENANTCTL_STORE / the config file, and checks that it answers. */
final class Stores {

    private static final String PROBE = "tenantctl-store-probe/";

    private Stores() {
    }

    /**
     * The store, reachable: a missing URL is a usage error (pass --store or set TENANTCTL_STORE); a store that does not
     * answer or refuses access is a CONFIG error (exit 3), raised here rather than halfway through the work.
     */
    static ObjectStore open(CliContext ctx) {
        ObjectStore store = ObjectStores.open(ctx.resolveStoreUrl(), ctx.effectiveEnv());
        try {
            store.list(PROBE);
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }
}
