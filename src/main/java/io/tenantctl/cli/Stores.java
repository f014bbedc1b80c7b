package io.tenantctl.cli;

import io.tenantctl.store.ObjectStore;
import io.tenantctl.store.ObjectStores;

/** Opens the object store named by --store / TENANTCTL_STORE / the config file, and checks that it answers. */
final class Stores {

    private Stores() {
    }

    /**
     * The store, reachable: a missing URL is a usage error (pass --store or set TENANTCTL_STORE); a store that does not
     * answer or refuses access is a CONFIG error (exit 3), raised here rather than halfway through the work.
     */
    static ObjectStore open(CliContext ctx) {
        return open(ctx, false);
    }

    /** As {@link #open(CliContext)}; with {@code forWriting}, also that objects can be written there (a backup's store). */
    static ObjectStore open(CliContext ctx, boolean forWriting) {
        return ObjectStores.openChecked(ctx.resolveStoreUrl(), ctx.effectiveEnv(), forWriting);
    }
}
