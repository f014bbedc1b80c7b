package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.pool.Retry;

/**
 * What every op works with: the catalog, a way to reach pools, the retry policy, who is acting (recorded on runs) and
 * where to tell the operator what an op is doing meanwhile ({@code notices}: one line each, e.g. that it waits for an
 * org another operation holds; ops never print). Built by the CLI; tests build it directly with in-process pools and
 * an embedded catalog.
 */
public record OpsContext(Catalog catalog, PoolConnector pools, Retry retry, String actor, java.util.function.Consumer<String> notices) {

    public OpsContext {
        notices = notices == null ? line -> { } : notices;
    }

    /**
     * The names of the databases on {@code pool}, as it lists them now (listDatabases, names only, retried). A pool that
     * does not answer (it may have answered a ping just before) is a config error (exit 3) naming it and its 'pools stats'
     * ({@link PoolHealth#notAnswering}), never 'unexpected StepFailure'; inside a fan-out it is that org's line.
     */
    public java.util.Set<String> databaseNames(io.tenantctl.catalog.Pool pool) {
        try {
            return SchemaApply.databaseNames(pools.database(pool.poolId(), pool.uri(), "admin"), retry, new Retry.Attempts());
        } catch (SchemaApply.StepFailure e) {
            throw PoolHealth.notAnswering(pool, e);
        }
    }

    /** A context whose notices go nowhere. */
    public OpsContext(Catalog catalog, PoolConnector pools, Retry retry, String actor) {
        this(catalog, pools, retry, actor, null);
    }

    /** The context a command runs with: FerretDB's retry policy, its backoffs cut short once {@code cancelled} (Ctrl-C). */
    public static OpsContext standard(Catalog catalog, PoolConnector pools, String actor, java.util.function.BooleanSupplier cancelled,
                                      java.util.function.Consumer<String> notices) {
        return new OpsContext(catalog, pools, Retry.ferretDefault().cancelledWhen(cancelled), actor, notices);
    }

    /**
     * The object store {@code url} names ({@code env}: S3 settings), checked to answer and, with {@code forWriting},
     * that objects can be written there: a missing URL is a usage error, a dead or read-only store a CONFIG error (exit
     * 3) raised before any work. Every verb that touches backups opens its store here.
     */
    public static io.tenantctl.store.ObjectStore openStore(String url, java.util.Map<String, String> env, boolean forWriting) {
        return io.tenantctl.store.ObjectStores.openChecked(url, env, forWriting);
    }

    /**
     * The object store {@code url} names, as {@link #openStore} opens it, for a backup to write to (backup, and orgs delete's
     * final backup; their dry runs alike): a {@code file://} store whose directory is missing (or holds nothing at all) while
     * the catalog records complete backups written there (a volume not mounted) is refused here, as verify and restore refuse
     * it ({@link Backups#requireThere}: exit 3, one line), before any run is recorded or the directory made anew on the wrong
     * disk; a store that could not be written is refused too, writing nothing ({@link io.tenantctl.store.ObjectStore#checkWritableWritingNothing}:
     * an S3 key that may not write there, a directory this process may not write in), before the verb changes anything. The
     * first backup into a new directory makes it, as it starts ({@link io.tenantctl.store.ObjectStore#checkWritable}).
     */
    public io.tenantctl.store.ObjectStore openStoreToBackUp(String url, java.util.Map<String, String> env) {
        return io.tenantctl.store.ObjectStores.openChecked(url, env, false, store -> {
            Backups.requireThere(catalog, store);
            store.checkWritableWritingNothing();
        });
    }

    /**
     * The object store {@code url} names, for a verb whose first act on it is a listing made before it records or prints
     * anything (backups list, backups show, backups prune: it lists before it deletes): that listing is the check, a store
     * that does not answer or refuses access failing it as a CONFIG error (exit 3) as {@link #openStore}'s probe would, so it is not listed a second time first.
     */
    public static io.tenantctl.store.ObjectStore openStoreToList(String url, java.util.Map<String, String> env) {
        return io.tenantctl.store.ObjectStores.open(url, env);
    }

    /**
     * The catalog at {@code url}, its schema checked to be this tenantctl's (unless {@code forInit}); {@code source} says
     * where the URL was given (the flag, a variable, a config file's key; null: not known), which the messages about a
     * catalog that cannot be reached or read tell the operator to check.
     */
    public static Catalog openCatalog(String url, String source, boolean forInit) {
        String given = source != null ? source : Catalog.DEFAULT_SOURCE;
        return forInit ? Catalog.connect(url, given) : Catalog.open(url, given);
    }
}
