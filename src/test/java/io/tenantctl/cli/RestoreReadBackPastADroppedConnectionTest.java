package io.tenantctl.cli;

import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
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
 * A restore reads each collection back to hold its documents to the backup's digest. That read is a plain find, which
 * a dropped connection (FerretDB restarted, a load balancer's idle cut) fails like any other: FERRETDB.md has tenantctl
 * retry network errors, and a read is safe to repeat. It was not retried, so one dropped connection failed the whole
 * restore — past an in-place restore's drop, leaving the org restoring and its data to be loaded all over again.
 */
class RestoreReadBackPastADroppedConnectionTest {

    @TempDir
    Path dir;

    @Test
    void aConnectionDroppedWhileACollectionIsReadBackIsRetried() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 30);
            String backupId = f.backup("acme");
            f.db("acme").getCollection("notes").deleteMany(new org.bson.Document());

            AtomicBoolean dropped = new AtomicBoolean();
            Cli cli = f.cli.decoratePools(real -> dropFirstReadOf(real, "org_acme", "notes", dropped));
            Cli.Result r = cli.run("restore", "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");

            assertThat(dropped).as("the read-back was reached").isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(0);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).as("acme's notes, as backed up").isEqualTo(30);
        }
    }

    /** Pools whose first unfiltered find of {@code collection} in {@code database} fails as a dropped connection does. */
    private static PoolConnector dropFirstReadOf(PoolConnector real, String database, String collection, AtomicBoolean dropped) {
        return new PoolConnector() {
            @Override
            public MongoDatabase database(String poolId, String uri, String name) {
                MongoDatabase db = real.database(poolId, uri, name);
                if (!name.equals(database)) {
                    return db;
                }
                return proxy(MongoDatabase.class, db, (method, args, result) -> method.getName().equals("getCollection")
                        && collection.equals(args[0]) ? proxy(MongoCollection.class, result.get(), (m, a, r) -> {
                            if (m.getName().equals("find") && (a == null || a.length == 0) && dropped.compareAndSet(false, true)) {
                                throw new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
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
