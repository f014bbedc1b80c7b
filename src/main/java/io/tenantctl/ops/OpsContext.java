package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.pool.Retry;

/**
 * What every op works with: the catalog, a way to reach pools, the retry policy and who is acting (recorded
 * on runs). Built by the CLI; tests build it directly with in-process pools and an embedded catalog.
 */
public record OpsContext(Catalog catalog, PoolConnector pools, Retry retry, String actor) {
}
