package io.tenantctl.cli;

import io.tenantctl.NextStep;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.store.ObjectStore;

/** Opens the object store named by --store / TENANTCTL_STORE / the config file, and checks that it answers. */
final class Stores {

    private Stores() {
    }

    /**
     * The store, reachable: a missing URL is a usage error (pass --store or set TENANTCTL_STORE); a store that does not
     * answer or refuses access is a CONFIG error (exit 3), raised here rather than halfway through the work. Whether it
     * can be written is for the verb that writes to check (backup does, before it records its run).
     */
    static ObjectStore open(CliContext ctx) {
        return OpsContext.openStore(ctx.resolveStoreUrl(), ctx.effectiveEnv(), false);
    }

    /**
     * " --store URL" when the store was typed on the line (empty when it came from TENANTCTL_STORE or the config file):
     * what a next step that goes on in the same store carries. A store URL holds no secret (credentials come from the
     * environment; one with user:password@ or a secret query option is refused before anything runs).
     */
    static String onLine(CliContext ctx) {
        return typed(ctx) == null ? "" : " --store " + NextStep.shellWord(typed(ctx));
    }

    /** The store's URL as typed on the line (--store), or null when it came from TENANTCTL_STORE or the config file. */
    static String typed(CliContext ctx) {
        return ctx.options.storeUrl == null ? null : ctx.options.storeUrl.trim();
    }
}
