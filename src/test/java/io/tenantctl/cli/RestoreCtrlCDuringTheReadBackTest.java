package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C stops a restore between two batches and rolls it back (README). The read-back that holds each restored
 * collection to the backup's digest read the whole collection without looking at Ctrl-C, and after the last
 * collection nothing looked again: a Ctrl-C that came while the last collection was read back (for a large org, the
 * longest read of the restore) was ignored, the restore finished and flipped the org, exit 0.
 */
class RestoreCtrlCDuringTheReadBackTest {

    @TempDir
    Path dir;

    @Test
    void aCtrlCWhileTheLastCollectionIsReadBackStopsTheRestore() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 30);
            String backupId = f.backup("acme");
            JsonNode show = CliFixture.strictJson(CliFixture.ok(f.cli, "backups", "show", backupId, "-o", "json"));
            JsonNode collections = show.path("manifest").isMissingNode() ? show.path("collections") : show.path("manifest").path("collections");
            String last = collections.get(collections.size() - 1).get("name").asText();

            CancelToken cancel = new CancelToken();
            AtomicBoolean reached = new AtomicBoolean();
            Cli cli = f.cli.decoratePools(real -> cancelOnReadOf(real, "org_acme_copy", last, () -> {
                reached.set(true);
                cancel.cancel("SIGINT");
            }));
            Cli.Result r = cli.run(cancel, "restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy");

            assertThat(reached).as("the read-back of " + last + " was reached").isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            assertThat(f.databaseNames("pool-0")).as(r.toString()).doesNotContain("org_acme_copy");
            assertThat(f.cli.run("orgs", "show", "acme-copy").exitCode()).as("no org acme-copy").isNotEqualTo(0);
        }
    }

    /** Pools that run {@code onRead} on each unfiltered find of {@code collection} in {@code database} (the read-back). */
    private static PoolConnector cancelOnReadOf(PoolConnector real, String database, String collection, Runnable onRead) {
        return new PoolConnector() {
            @Override
            public MongoDatabase database(String poolId, String uri, String name) {
                MongoDatabase db = real.database(poolId, uri, name);
                if (!name.equals(database)) {
                    return db;
                }
                return proxy(MongoDatabase.class, db, (method, args, result) -> method.getName().equals("getCollection")
                        && collection.equals(args[0]) ? proxy(MongoCollection.class, result.get(), (m, a, r) -> {
                            if (m.getName().equals("find") && (a == null || a.length == 0)) {
                                onRead.run();
                            }
                            return r.get();
                        }) : result.get());
            }

            @Override
            public void ping(String poolId, String uri) {
                real.ping(poolId, uri);
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }

    interface Call {
        Object on(java.lang.reflect.Method method, Object[] args, Result result) throws Throwable;
    }

    interface Result {
        Object get() throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Object target, Call call) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (p, method, args) -> call.on(method, args, () -> {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }

}
