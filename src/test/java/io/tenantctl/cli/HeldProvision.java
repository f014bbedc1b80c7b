package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A re-run {@code provision ORG} (a signup pipeline re-running its list) stopped while it holds ORG's lease: at its
 * first look at {@code org_ORG}'s collections, until {@link #release()}. For tests of what other commands do meanwhile.
 */
final class HeldProvision {

    private final Pause pause = Pause.at(1);
    private final CompletableFuture<Cli.Result> run;

    /** Starts {@code provision orgId --schema schema} on catalog {@code url}; returns once it holds the org. */
    HeldProvision(String url, String orgId, String schema) throws InterruptedException {
        Cli holding = Cli.withCatalog(url).decoratePools(real -> HookedPools.onDatabase(real, (name, db) ->
                !name.equals("org_" + orgId) ? db : HookedPools.beforeEach(db, "listCollectionNames", pause::call)));
        run = holding.start("provision", orgId, "--schema", schema);
        pause.awaitPaused("the re-run provision reached org_" + orgId);
    }

    /** Lets the provision go on; returns how it ended. */
    Cli.Result release() throws Exception {
        pause.wake();
        return run.get(60, TimeUnit.SECONDS);
    }
}
