package io.tenantctl.cli;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FerretDB enforces TTL indexes (a pg_cron job each minute deletes what they expire, FERRETDB.md); the stand-in pools
 * never do. A backup holds documents whose expiry has passed since (every old backup of sessions or tokens does), so
 * once a restore has built a TTL index on the new database, the pool's next tick deletes them — and the restore's count
 * checks (each collection when it is done, all again before the flip, and the in-place restore's trial load) then found
 * fewer documents than the backup and failed: "has 2 documents after the restore, the backup has 3", or for an
 * in-place restore "backup … does not load … choose another backup", on any backup with such documents. Found by a
 * probing helper. Here the tick is played at once, right after each createIndexes that builds a TTL index.
 */
class RestoreOfExpiredDocumentsTest {

    @TempDir
    Path dir;

    /** A CLI whose pools delete, as FerretDB's TTL job does, what a TTL index expires as soon as the index is built. */
    private static Cli withTtlTicks(BackupFixture f, AtomicInteger ticks) {
        return f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> (MongoDatabase) Proxy.newProxyInstance(
                MongoDatabase.class.getClassLoader(), new Class<?>[]{MongoDatabase.class}, (proxy, m, args) -> {
                    Object out;
                    try {
                        out = m.invoke(db, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (m.getName().equals("runCommand") && args != null && args[0] instanceof Bson b) {
                        BsonDocument cmd = b.toBsonDocument();
                        if (cmd.getFirstKey().equals("createIndexes")) {
                            String collection = cmd.getString("createIndexes").getValue();
                            for (BsonValue v : cmd.getArray("indexes")) {
                                BsonDocument index = v.asDocument();
                                if (index.containsKey("expireAfterSeconds")) {
                                    String field = index.getDocument("key").getFirstKey();
                                    long seconds = index.get("expireAfterSeconds").asNumber().longValue();
                                    Date cutoff = new Date(System.currentTimeMillis() - seconds * 1000);
                                    ticks.addAndGet((int) db.getCollection(collection).deleteMany(
                                            new Document(field, new Document("$lt", cutoff))).getDeletedCount());
                                }
                            }
                        }
                    }
                    return out;
                })));
    }

    /** acme with sessions: one expired an hour ago (its pool has not deleted it yet), two that expire tomorrow. */
    private static String backupWithAnExpiredSession(BackupFixture f) {
        f.provision("acme");
        MongoDatabase db = f.db("acme");
        long now = System.currentTimeMillis();
        db.getCollection("sessions").insertMany(List.of(
                new Document("_id", "s1").append("expiration", new Date(now - 3_600_000)),
                new Document("_id", "s2").append("expiration", new Date(now + 86_400_000)),
                new Document("_id", "s3").append("expiration", new Date(now + 86_400_000))));
        db.runCommand(new Document("createIndexes", "sessions").append("indexes", List.of(new Document("key",
                new Document("expiration", 1)).append("name", "expiration_1").append("expireAfterSeconds", 0))));
        return f.backup("acme");
    }

    @Test
    void aRestoreIntoANewDatabaseFlipsAndThePoolExpiresWhatItShould() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupWithAnExpiredSession(f);
            AtomicInteger ticks = new AtomicInteger();

            Cli.Result r = withTtlTicks(f, ticks).run("restore", "--org", "acme", "--backup", id);

            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(ticks).as("the TTL index was built, and the expired session went").hasValue(1);
            assertThat(f.db("acme").getCollection("sessions").find().map(d -> d.getString("_id")).into(new java.util.ArrayList<>()))
                    .containsExactlyInAnyOrder("s2", "s3");
            assertThat(BackupFixture.indexes(f.db("acme")).get("sessions")).extracting(i -> i.getString("name").getValue())
                    .contains("expiration_1");
        }
    }

    @Test
    void anInPlaceRestoreIsNotToldItsBackupDoesNotLoad() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupWithAnExpiredSession(f);
            AtomicInteger ticks = new AtomicInteger();

            Cli.Result r = withTtlTicks(f, ticks).run("restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing");

            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(f.db("acme").getCollection("sessions").countDocuments()).isEqualTo(2);
        }
    }
}
