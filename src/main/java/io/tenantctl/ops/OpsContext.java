package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.pool.Retry;

/**
 * What every op works with: the catalog, a way to reach pools, the retry policy and who is acting (recorded
 * on runs). Built by the CLI; tests build it directly with in-process pools and an embedded catalog.
 */
public record OpsContext(Catalog catalog, PoolConnector pools, Retry retry, String actor) {

    /** The context a command runs with: FerretDB's retry policy, its backoffs cut short once {@code cancelled} (Ctrl-C). */
    public static OpsContext standard(Catalog catalog, PoolConnector pools, String actor, java.util.function.BooleanSupplier cancelled) {
        return new OpsContext(catalog, pools, Retry.ferretDefault().cancelledWhen(cancelled), actor);
    }
}
