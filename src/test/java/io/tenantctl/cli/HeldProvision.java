package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A re-run {@code provision ORG} (a signup pipeline re-running its list) stopped while it holds ORG's lease: at its
 * first look at {@code org_ORG}'s collections, until {@link #release()}. For tests of what other commands do meanwhile.
 */
final class HeldProvision {

    private final CountDownLatch release = new CountDownLatch(1);
    private final CompletableFuture<Cli.Result> run;

    /** Starts {@code provision orgId --schema schema} on catalog {@code url}; returns once it holds the org. */
    HeldProvision(String url, String orgId, String schema) throws InterruptedException {
        CountDownLatch reached = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean(true);
        Cli holding = Cli.withCatalog(url).decoratePools(real -> HookedPools.onDatabase(real, (name, db) ->
                !name.equals("org_" + orgId) ? db : HookedPools.beforeEach(db, "listCollectionNames", () -> {
                    if (armed.compareAndSet(true, false)) {
                        reached.countDown();
                        release.await(60, TimeUnit.SECONDS);
                    }
                })));
        run = holding.start("provision", orgId, "--schema", schema);
        assertThat(reached.await(60, TimeUnit.SECONDS)).as("the re-run provision reached org_" + orgId).isTrue();
    }

    /** Lets the provision go on; returns how it ended. */
    Cli.Result release() throws Exception {
        release.countDown();
        return run.get(60, TimeUnit.SECONDS);
    }
}
