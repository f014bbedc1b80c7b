package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A collection written to while backup copies it. Read across several batches, a write between them can make the copy
 * miss or repeat documents: the count after streaming catches it, the org fails with no manifest, and a re-run backs it
 * up. Read whole in the server's first reply, the copy is the collection at that moment: a write after it fails
 * nothing, and the backup restores what was read.
 */
class BackupOfACollectionWrittenMeanwhileTest {

    @TempDir
    Path dir;

    @Test
    void aWriteBetweenTheBatchesOfALargeCollectionFailsTheOrgAndARerunBacksItUp() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 2_500); // three batches of 1,000
            Cli writing = writeAfterFirstReply(f, "notes", new AtomicBoolean(true));

            Cli.Result r = writing.run("backup", "--org", "acme", "-o", "json", "--no-progress");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode failed = strictJson(r).get("failed").get(0);
            assertThat(failed.get("error").asText()).contains("collection notes changed while it was copied (2500 documents streamed, 2499 "
                    + "counted after)").contains("--freeze");
            String backupId = strictJson(r).get("orgs").get(0).get("backup_id").asText();
            JsonNode shown = strictJson(f.cli.run("backups", "show", backupId, "-o", "json"));
            assertThat(shown.toString()).as("recorded failed, not a backup to restore").contains("\"failed\"");

            String again = f.backup("acme");
            Map<String, List<RawBsonDocument>> now = BackupFixture.contents(f.db("acme"));
            f.db("acme").getCollection("notes").deleteMany(new Document());
            CliFixture.ok(f.cli, "restore", "--org", "acme", "--backup", again);
            f.assertHolds("acme", now);
        }
    }

    @Test
    void aWriteAfterASmallCollectionWasReadWholeFailsNothingAndTheBackupHoldsWhatWasRead() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            Map<String, List<RawBsonDocument>> asRead = BackupFixture.contents(f.db("acme"));
            Cli writing = writeAfterFirstReply(f, "notes", new AtomicBoolean(true));

            Cli.Result r = writing.run("backup", "--org", "acme", "-o", "json", "--no-progress");

            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(f.db("acme").getCollection("notes").countDocuments()).as("the write did land after the read").isEqualTo(4);
            String backupId = strictJson(r).get("orgs").get(0).get("backup_id").asText();
            CliFixture.ok(f.cli, "restore", "--org", "acme", "--backup", backupId);
            f.assertHolds("acme", asRead);
        }
    }

    /**
     * A CLI on {@code f}'s fleet whose first find on {@code collection} (once {@code armed}) deletes the document with _id
     * 0 — one the first reply has already brought — right after that reply came.
     */
    private static Cli writeAfterFirstReply(BackupFixture f, String collection, AtomicBoolean armed) {
        return f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> proxy(MongoDatabase.class, db, (m, args, result) -> {
            if (m.equals("getCollection") && collection.equals(args[0]) && args.length == 2 && args[1] == RawBsonDocument.class) {
                return proxy(MongoCollection.class, result, (m2, a2, r2) -> m2.equals("find") && (a2 == null || a2.length == 0)
                        ? afterIterator((FindIterable<?>) r2, () -> {
                            if (armed.getAndSet(false)) {
                                f.db("acme").getCollection(collection).deleteOne(new Document("_id", 0));
                            }
                        }) : r2);
            }
            return result;
        })));
    }

    /** {@code find}, whose iterator() (the first reply fetched) then runs {@code then}; batchSize and the like keep the wrap. */
    private static Object afterIterator(FindIterable<?> find, Runnable then) {
        return proxy(FindIterable.class, find, (m, args, result) -> {
            if (m.equals("iterator") || m.equals("cursor")) {
                then.run();
                return result;
            }
            return result instanceof FindIterable<?> next ? afterIterator(next, then) : result;
        });
    }

    private interface After {
        Object apply(String method, Object[] args, Object result) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Object target, After after) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (p, m, args) -> {
            Object result;
            try {
                result = m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            return after.apply(m.getName(), args, result);
        });
    }
}
