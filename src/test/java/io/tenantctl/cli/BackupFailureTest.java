package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoCommandException;
import com.mongodb.ServerAddress;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.testing.Cli;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** A backup that dies mid-stream leaves no manifest and says so; --freeze lifts read_only even then; the next backup works. */
class BackupFailureTest {

    @TempDir
    Path dir;

    @Test
    void aBackupKilledMidStreamLeavesNoManifestAndTheNextOneWorks() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            seed(f);
            Map<String, List<RawBsonDocument>> seeded = BackupFixture.contents(f.db("acme"));
            Cli failing = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString())).decoratePools(real -> dyingAfter(real, "notes", 3, null));

            Cli.Result r = failing.run("backup", "--org", "acme", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode failed = strictJson(r).get("orgs").get(0);
            assertThat(failed.get("outcome").asText()).isEqualTo("failed");
            assertThat(failed.get("error").asText()).contains("notes").contains("connection reset by test");
            String abandoned = failed.get("backup_id").asText();
            assertThat(f.storeDir.resolve("acme").resolve(abandoned).resolve("manifest.json")).doesNotExist();
            JsonNode listed = entry(f, abandoned);
            assertThat(listed.get("status").asText()).isEqualTo("failed");
            assertThat(listed.get("error").asText()).contains("no manifest was written");
            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--backup", abandoned);
            assertThat(restore.exitCode()).as(restore.toString()).isNotZero();

            String next = f.backup("acme");
            assertThat(entry(f, next).get("status").asText()).isEqualTo("complete");
            assertThat(entry(f, next).get("docs").asLong()).isEqualTo(10);
            JsonNode run = strictJson(ok(f.cli, "runs", "show", strictJson(r).get("run_id").asText(), "-o", "json"));
            assertThat(run.get("run").get("verb").asText()).isEqualTo("backup");
            assertThat(CliFixture.runItem(run, "acme").get("status").asText()).isEqualTo("failed");
            // end state: neither the failed backup nor the refused restore of it changed the org
            f.assertHolds("acme", seeded);
        }
    }

    @Test
    void freezeMakesTheOrgReadOnlyWhileCopyingAndAlwaysLiftsIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            seed(f);
            Map<String, List<RawBsonDocument>> seeded = BackupFixture.contents(f.db("acme"));
            AtomicReference<String> statusDuringCopy = new AtomicReference<>();
            Cli failing = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString()))
                    .decoratePools(real -> dyingAfter(real, "notes", 3, () -> statusDuringCopy.set(f.org("acme").get("status").asText())));

            Cli.Result r = failing.run("backup", "--org", "acme", "--freeze");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(statusDuringCopy.get()).as("frozen during the copy").isEqualTo("read_only");
            assertThat(f.org("acme").get("status").asText()).as("thawed although the backup failed").isEqualTo("active");

            f.backup("acme", "--freeze");
            f.assertHolds("acme", seeded);
        }
    }

    @Test
    void aBackupInterruptedBeforeItsManifestIsListedAsIncomplete() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String id = f.backup("acme");
            // what a process killed before the manifest leaves: no manifest, and the catalog's row still running (a row
            // recorded complete without its manifest is a damaged backup, missing, not an incomplete one)
            Files.delete(f.files("acme", id).get("manifest.json"));
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(f.catalogUrl); java.sql.Statement s = c.createStatement()) {
                s.execute("update backups set status = 'running', finished_at = null where backup_id = '" + id + "'");
            }
            JsonNode listed = entry(f, id);
            assertThat(listed.get("status").asText()).isEqualTo("incomplete");
            assertThat(listed.get("in_store").asBoolean()).isTrue();
            f.assertClean("acme");
        }
    }

    private static void seed(BackupFixture f) {
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            docs.add(new BsonDocument("_id", new BsonInt32(i)).append("text", new BsonString("note " + i)));
        }
        f.db("acme").getCollection("notes", BsonDocument.class).insertMany(docs);
    }

    private static JsonNode entry(BackupFixture f, String backupId) {
        for (JsonNode e : strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups")) {
            if (e.get("backup_id").asText().equals(backupId)) {
                return e;
            }
        }
        throw new AssertionError("backups list has no " + backupId);
    }

    /** Pool access whose cursor over {@code collection} fails (not retryable) after {@code docs} documents. */
    static PoolConnector dyingAfter(PoolConnector real, String collection, int docs, Runnable beforeDying) {
        return io.tenantctl.testing.HookedPools.onDatabase(real, (name, db) -> proxy(MongoDatabase.class, db, (m, args) -> {
            if (!m.getName().equals("getCollection") || !args[0].equals(collection)) {
                return PASS;
            }
            MongoCollection<?> coll = (MongoCollection<?>) m.invoke(db, args);
            return proxy(MongoCollection.class, coll, (m2, a2) -> m2.getName().equals("find")
                    ? finder((FindIterable<?>) m2.invoke(coll, a2), docs, beforeDying) : PASS);
        }));
    }

    private static FindIterable<?> finder(FindIterable<?> real, int docs, Runnable beforeDying) {
        return proxy(FindIterable.class, real, (m, args) -> {
            if (m.getName().equals("iterator") || m.getName().equals("cursor")) {
                MongoCursor<?> cursor = (MongoCursor<?>) m.invoke(real, args);
                int[] served = {0};
                return proxy(MongoCursor.class, cursor, (m2, a2) -> {
                    if (m2.getName().equals("next") && served[0]++ == docs) {
                        if (beforeDying != null) {
                            beforeDying.run();
                        }
                        throw new MongoCommandException(new BsonDocument("ok", new BsonDouble(0)).append("code", new BsonInt32(2))
                                .append("errmsg", new BsonString("connection reset by test")), new ServerAddress());
                    }
                    return PASS;
                });
            }
            if (FindIterable.class.isAssignableFrom(m.getReturnType())) {
                return finder((FindIterable<?>) m.invoke(real, args), docs, beforeDying);
            }
            return PASS;
        });
    }

    private static final Object PASS = new Object();

    interface Hook {
        Object apply(java.lang.reflect.Method m, Object[] args) throws Throwable;
    }

    @SuppressWarnings("unchecked")
    static <T> T proxy(Class<T> type, Object target, Hook hook) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (p, m, args) -> {
            Object replaced = hook.apply(m, args);
            if (replaced != PASS) {
                return replaced;
            }
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
