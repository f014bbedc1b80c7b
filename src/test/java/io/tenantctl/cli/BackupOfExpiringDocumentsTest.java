package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * FerretDB's TTL job deletes what a TTL index expires each minute, {@code --freeze} or not (FERRETDB.md); the stand-in
 * pools never do. A backup streams a large collection batch by batch and then counts it: when the job had deleted an
 * expired session or temporary message meanwhile, the backup failed "changed while it was copied … pass --freeze", and
 * with --freeze too, for any org whose copy of such a collection spanned a tick. Found by a probing helper. Here the tick
 * is played once, right after the backup has opened the collection's stream.
 */
class BackupOfExpiringDocumentsTest {

    private static final String COLLECTION = "expiringnotes";

    @TempDir
    Path dir;

    /** acme with 2,500 notes under a TTL index: the first 5 expired an hour ago (not yet deleted), 995 later, 1,500 undated. */
    private static void seed(BackupFixture f) {
        f.provision("acme");
        long now = System.currentTimeMillis();
        List<Document> notes = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            Document d = new Document("_id", String.format("n%05d", i)).append("text", "note " + i);
            if (i < 1_000) {
                d.append("expiresAt", new Date(i < 5 ? now - 3_600_000 : now + 86_400_000));
            }
            notes.add(d);
        }
        MongoDatabase db = f.db("acme");
        db.getCollection(COLLECTION).insertMany(notes);
        db.getCollection(COLLECTION).createIndex(new Document("expiresAt", 1),
                new com.mongodb.client.model.IndexOptions().name("expiresAt_1").expireAfter(0L, java.util.concurrent.TimeUnit.SECONDS));
    }

    /**
     * A CLI whose pools run {@code tick} once, right after the first call on the collection (or on its {@code find()})
     * that {@code when} names: {@code "iterator"}, a backup's stream opened (its first batch read); {@code
     * "countDocuments(filter)"}, a count with a filter returned.
     */
    private static Cli ticking(BackupFixture f, String when, Runnable tick) {
        AtomicBoolean ticked = new AtomicBoolean();
        Then once = (m, args, out) -> {
            String call = m.getName() + (m.getName().equals("countDocuments") && args != null && args.length > 0 ? "(filter)" : "");
            if (call.equals(when) && !ticked.getAndSet(true)) {
                tick.run();
            }
            return out;
        };
        return f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> proxy(MongoDatabase.class, db, (m, args, out) ->
                !(m.getName().equals("getCollection") && args.length == 2 && COLLECTION.equals(args[0])) ? out
                        : proxy(MongoCollection.class, out, (cm, cargs, cout) -> cm.getName().equals("find") && cargs == null
                        ? proxy(FindIterable.class, cout, once) : once.after(cm, cargs, cout)))));
    }

    @FunctionalInterface
    private interface Then {
        /** What the proxy returns for a call that returned {@code out} (the real object itself: the proxy). */
        Object after(java.lang.reflect.Method m, Object[] args, Object out) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Object real, Then then) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (p, m, args) -> {
            Object out;
            try {
                out = m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            Object shown = then.after(m, args, out);
            return shown == real ? p : shown; // a fluent call goes on through the proxy
        });
    }

    private static void expire(BackupFixture f) {
        f.db("acme").getCollection(COLLECTION).deleteMany(new Document("expiresAt", new Document("$lt", new Date())));
    }

    @Test
    void aTickDuringTheCopyIsNotAChangeFrozenOrNot() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            seed(f);
            for (String[] how : new String[][]{{}, {"--freeze"}}) {
                Cli.Result r = ticking(f, "iterator", () -> expire(f)).run(concat(new String[]{"backup", "--org", "acme", "-o", "json"}, how));

                assertThat(r.exitCode()).as(r.toString()).isZero();
                JsonNode out = strictJson(r);
                assertThat(out.get("backed_up").asInt()).isEqualTo(1);
                assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
                f.db("acme").getCollection(COLLECTION).insertMany(List.of( // expired again, for the next backup's tick
                        new Document("_id", "late" + how.length).append("expiresAt", new Date(System.currentTimeMillis() - 60_000))));
            }
        }
    }

    @Test
    void aLastingDocumentWrittenDuringTheCopyStillFailsTheBackup() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            seed(f);

            Cli.Result r = ticking(f, "countDocuments(filter)", () -> {
                expire(f);
                f.db("acme").getCollection(COLLECTION).insertOne(new Document("_id", "written-meanwhile").append("text", "kept"));
            }).run("backup", "--org", "acme");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.out() + r.err()).contains("collection " + COLLECTION + " changed while it was copied");
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
