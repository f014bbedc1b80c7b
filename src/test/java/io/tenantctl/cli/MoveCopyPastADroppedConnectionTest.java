package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.testing.HookedPools;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A move's first copy (the long one, while the org stays writable) inserts batch after batch into the target. FERRETDB.md
 * has network errors retried; those inserts were not: one connection dropped while a batch went in failed the move,
 * rolled back, its copy to be made all over again. The worst drop is after the batch went in, its reply lost: the retry
 * then meets the batch's own documents, which the catch-up settles like a live source's changes.
 */
class MoveCopyPastADroppedConnectionTest {

    @TempDir
    Path dir;


    @Test
    void aBatchWhoseReplyWasLostIsRetriedAndTheMoveCompletesWithEveryDocument() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 2_500); // three batches
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));

            AtomicBoolean dropped = new AtomicBoolean();
            AtomicInteger batches = new AtomicInteger();
            Cli.Result r = move(f, real -> HookedPools.aroundCollectionCall(real, "org_acme"::equals, "insertMany", // only the target is written
                    (collection, args, insert) -> {
                        Object result = insert.get();
                        if (collection.equals("notes") && batches.incrementAndGet() == 2 && dropped.compareAndSet(false, true)) {
                            throw lostConnection(); // in; reply lost
                        }
                        return result;
                    }));

            assertThat(dropped).as("the second batch's reply was lost").isTrue();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode org = f.org("acme");
            assertThat(org.get("pool_id").asText()).isEqualTo("pool-1");
            f.assertHolds("acme", before);
        }
    }

    /**
     * The frozen catch-up writes what changed on the source since the first copy. One dropped connection there aborted the
     * move after its freeze, the org unfrozen and the whole move to run again. Each batch's catch-up looks the target up
     * before it writes, so running it again after a lost reply writes only what is still missing.
     */
    @Test
    void aCatchUpBatchWhoseReplyWasLostIsRetried() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 2_500);
            org.bson.Document changed = new org.bson.Document("$set", new org.bson.Document("text", "changed during the first copy"));

            AtomicBoolean updated = new AtomicBoolean();
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, real -> HookedPools.aroundCollectionCall(real, "org_acme"::equals, "insertMany", // only the target is written
                    (collection, args, insert) -> {
                        if (args.length == 2 && updated.compareAndSet(false, true)) { // the first copy's first batch: the app writes
                            f.database("pool-0", "org_acme").getCollection("notes").updateOne(new org.bson.Document("_id", 0), changed);
                        }
                        Object result = insert.get();
                        if (args.length == 1 && dropped.compareAndSet(false, true)) { // the catch-up's: in, its reply lost
                            throw lostConnection();
                        }
                        return result;
                    }));

            movedWhole(f, r, dropped, "the catch-up's write lost its reply");
            assertThat(f.db("acme").getCollection("notes").find(new org.bson.Document("_id", 0)).first().getString("text"))
                    .isEqualTo("changed during the first copy");
        }
    }

    /**
     * A unique key moved between two documents while the org was live: the frozen catch-up meets it and copies the
     * collection again whole. Those inserts were not retried: one dropped connection aborted the move after its freeze.
     * The worst drop is after the batch went in, its reply lost: the retry then meets the batch's own documents.
     */
    @Test
    void aBatchCopiedAgainWholeWhoseReplyWasLostIsRetried() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, real -> HookedPools.aroundCollectionCall(real, "org_acme"::equals, "insertMany", // only the target is written
                    (collection, args, insert) -> {
                        appMovesAUniqueKeyOnceUsersAreCopied(f, collection, args);
                        Object result = insert.get();
                        // the copy again whole writes users in batches of 1,000 (the catch-up's conflicting write is of one)
                        if (collection.equals("users") && args.length == 1 && ((List<?>) args[0]).size() == 1000
                                && dropped.compareAndSet(false, true)) {
                            throw lostConnection(); // in; reply lost
                        }
                        return result;
                    }));

            movedWhole(f, r, dropped, "a batch of the copy again lost its reply");
            assertThat(f.db("acme").getCollection("users").find(new org.bson.Document("_id", 0)).first().getString("email"))
                    .isEqualTo("u1500@acme.test");
        }
    }

    /**
     * Documents deleted on the source while the org was live are deleted from the target by the frozen catch-up. That
     * delete was not retried: one dropped connection aborted the move. A delete is the same when made again.
     */
    @Test
    void aDeleteOfWhatTheSourceNoLongerHasWhoseReplyWasLostIsRetried() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean deleted = new AtomicBoolean();
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, real -> HookedPools.aroundCollectionCall(appDeletesUsers(f, real, deleted, 3, 1200),
                    "org_acme"::equals, "deleteMany",
                    (collection, args, delete) -> {
                        Object result = delete.get();
                        if (collection.equals("users") && dropped.compareAndSet(false, true)) {
                            throw lostConnection(); // done; reply lost
                        }
                        return result;
                    }));

            movedWhole(f, r, dropped, "the delete lost its reply");
            assertThat(f.db("acme").getCollection("users").countDocuments()).isEqualTo(1998);
        }
    }

    /**
     * The frozen catch-up counts what the target holds to know whether anything the source deleted is still there. That
     * count was not retried: one dropped connection aborted the move after its freeze. A count asked again is the same.
     */
    @Test
    void aCatchUpCountWhoseConnectionDroppedIsAskedAgain() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean deleted = new AtomicBoolean();
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, real -> HookedPools.aroundCollectionCall(appDeletesUsers(f, real, deleted, 7),
                    "org_acme"::equals, "countDocuments",
                    (collection, args, count) -> {
                        if (collection.equals("users") && deleted.get() && dropped.compareAndSet(false, true)) {
                            throw lostConnection(); // nothing asked
                        }
                        return count.get();
                    }));

            movedWhole(f, r, dropped, "a count lost its connection");
            assertThat(f.db("acme").getCollection("users").countDocuments()).isEqualTo(1999);
        }
    }

    /**
     * What the target holds beyond the frozen source is found by reading the target's _ids. That read was not made again
     * after a dropped connection: one cut halfway through it aborted the move after its freeze. It goes on after the last
     * _id it read.
     */
    @Test
    void theCatchUpsReadOfTheTargetsIdsGoesOnAfterADroppedConnection() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean deleted = new AtomicBoolean();
            AtomicBoolean dropped = new AtomicBoolean();
            org.bson.BsonDocument idsOnly = new org.bson.BsonDocument("_id", new org.bson.BsonInt32(1));
            Cli.Result r = move(f, real -> onPool(appDeletesUsers(f, real, deleted, 3, 1500), "pool-1",
                    db -> HookedPools.aroundCollectionCall(db, "find", (collection, args, find) ->
                            !collection.equals("users") ? find.get() : HookedPools.dropsItsCursor(find.get(), 500, projection ->
                                    projection != null && idsOnly.equals(projection.toBsonDocument()) && dropped.compareAndSet(false, true)))));

            movedWhole(f, r, dropped, "the read of the target's _ids lost its connection");
            assertThat(f.db("acme").getCollection("users").countDocuments()).isEqualTo(1998);
        }
    }

    /**
     * Frozen, the move reads the source once more, its fingerprint (the ledger) taken as it goes. That read was not made
     * again after a dropped connection: one cut halfway through it aborted the move. It goes on after the last _id it read,
     * and the ledger is of every document once.
     */
    @Test
    void theFrozenReadOfTheSourceGoesOnAfterADroppedConnection() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, firstFilteredReadOfUsersDrops("pool-0", dropped)); // the first copy's is unfiltered

            movedWhole(f, r, dropped, "the frozen read of the source lost its connection");
            assertThat(f.db("acme").getCollection("users").countDocuments()).isEqualTo(2000);
        }
    }

    /**
     * Before the flip, verify reads both sides whole. Those reads were not made again after a dropped connection: one cut
     * halfway through the target's aborted a move whose copy was complete. It goes on after the last _id it read.
     */
    @Test
    void theVerifyingReadOfTheTargetGoesOnAfterADroppedConnection() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean dropped = new AtomicBoolean();
            // nothing changed since the first copy: the catch-up reads nothing of the target's users, verify does
            Cli.Result r = move(f, firstFilteredReadOfUsersDrops("pool-1", dropped));

            movedWhole(f, r, dropped, "verify's read of the target lost its connection");
            assertThat(f.db("acme").getCollection("users").countDocuments()).isEqualTo(2000);
        }
    }

    /** The move lists each collection's indexes on both pools to make the target's like the source's: a read, asked again. */
    @Test
    void anIndexListingWhoseConnectionDroppedIsAskedAgain() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, real -> HookedPools.aroundCollectionCall(real, "org_acme"::equals, "listIndexes",
                    (collection, args, list) -> {
                        if (collection.equals("users") && dropped.compareAndSet(false, true)) {
                            throw lostConnection(); // nothing listed
                        }
                        return list.get();
                    }));

            movedWhole(f, r, dropped, "a listing lost its connection");
        }
    }

    /**
     * The first copy reads each collection of the live source whole, a reader ahead overlapping the read with the writes.
     * That read was not made again after a dropped connection: one cut halfway through it aborted the move. It goes on
     * after the last _id it read.
     */
    @Test
    void theFirstCopysReadOfTheSourceGoesOnAfterADroppedConnection() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, real -> sourceDropsItsUsersRead(real, 1, dropped)); // the first copy's

            movedWhole(f, r, dropped, "the first copy's read of the source lost its connection");
            assertThat(f.db("acme").getCollection("users").countDocuments()).isEqualTo(2000);
        }
    }

    /**
     * A collection that changed since the first copy is caught up from the frozen source, read whole once more. That read
     * was not made again after a dropped connection: one cut halfway through it aborted the move after its freeze.
     */
    @Test
    void theCatchUpsReadOfAChangedCollectionGoesOnAfterADroppedConnection() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean deleted = new AtomicBoolean();
            AtomicBoolean dropped = new AtomicBoolean();
            // users' reads of the source: the first copy's, the frozen one (the ledger), then the catch-up's of a changed collection
            Cli.Result r = move(f, real -> sourceDropsItsUsersRead(appDeletesUsers(f, real, deleted, 1700), 3, dropped));

            assertThat(deleted).isTrue();
            movedWhole(f, r, dropped, "the catch-up's read of the source lost its connection");
            assertThat(f.db("acme").getCollection("users").countDocuments()).isEqualTo(1999);
        }
    }

    /**
     * Where a unique key moved between documents the collection is copied again whole from the frozen source. That read
     * was not made again after a dropped connection: one cut halfway through it aborted the move after its freeze.
     */
    @Test
    void theReadOfACollectionCopiedAgainWholeGoesOnAfterADroppedConnection() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean dropped = new AtomicBoolean();
            // users' reads of the source: the first copy's, the frozen one, the catch-up's (it meets the key), the copy again
            Cli.Result r = move(f, real -> sourceDropsItsUsersRead(HookedPools.aroundCollectionCall(real, "org_acme"::equals,
                    "insertMany", (collection, args, insert) -> {
                        appMovesAUniqueKeyOnceUsersAreCopied(f, collection, args);
                        return insert.get();
                    }), 4, dropped));

            movedWhole(f, r, dropped, "the read of the copy again lost its connection");
            assertThat(f.db("acme").getCollection("users").find(new org.bson.Document("_id", 0)).first().getString("email"))
                    .isEqualTo("u1500@acme.test");
        }
    }

    /** The move lists the source's collections to copy them: a read, asked again after a dropped connection. */
    @Test
    void aListingOfTheSourcesCollectionsWhoseConnectionDroppedIsAskedAgain() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, real -> onPool(real, "pool-0", db -> firstCallDrops(db, "listCollectionNames", dropped))); // the first copy's

            movedWhole(f, r, dropped, "a listing of collections lost its connection");
            assertThat(f.db("acme").listCollectionNames().into(new java.util.ArrayList<>())).contains("users", "zz");
        }
    }

    /** Before the move is recorded, its target's name is one no database on the target pool has yet: a listing, asked again. */
    @Test
    void aListingOfTheTargetsCollectionsWhoseConnectionDroppedIsAskedAgain() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, real -> onPool(real, "pool-1", db -> firstCallDrops(db, "listCollectionNames", dropped))); // the target's name chosen

            movedWhole(f, r, dropped, "a listing of the target's collections lost its connection");
        }
    }

    /**
     * Frozen, the move lists each collection's indexes on the source to know which documents a TTL index expires (they are
     * read apart from those that last). That listing was not asked again after a dropped connection.
     */
    @Test
    void theFrozenReadsListingOfTtlIndexesWhoseConnectionDroppedIsAskedAgain() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicInteger listings = new AtomicInteger();
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, real -> onPool(real, "pool-0", db -> HookedPools.aroundCollectionCall(db, "listIndexes",
                    (collection, args, list) -> {
                        // users' listings on the source: the first copy's (to build the target's indexes), then the frozen read's
                        if (collection.equals("users") && listings.incrementAndGet() == 2 && dropped.compareAndSet(false, true)) {
                            throw lostConnection(); // nothing listed
                        }
                        return list.get();
                    })));

            movedWhole(f, r, dropped, "the frozen read's index listing lost its connection");
        }
    }

    /**
     * A write to the source during the freeze fails verify, which says what differs: it looks the source's documents up on
     * the target. A look-up cut by a dropped connection replaced that with "Prematurely reached end of stream"; it is
     * asked again, and the user reads what the verification found.
     */
    @Test
    void aFailedVerifysLookUpWhoseConnectionDroppedIsAskedAgain() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, real -> onPool(appWritesToTheFrozenSource(f, real), "pool-1",
                    db -> HookedPools.aroundCollectionCall(db, "find", (collection, args, find) ->
                            collection.equals("users") && args != null && args.length == 1 && args[0].toString().contains("$in")
                                    ? HookedPools.dropsItsCursor(find.get(), 0, projection -> dropped.compareAndSet(false, true)) : find.get())));

            rolledBack(f, r, dropped, "verify's look-up on the target lost its connection");
            assertThat(r.toString()).contains("verification failed (users: source 2001 documents, target 2000")
                    .contains("missing on target 1 [late]").doesNotContain("Prematurely");
        }
    }

    /**
     * A move that fails after its copy rolls back: it drops the target. That drop was not made again after a dropped
     * connection: the target was left on the pool until an operator ran 'rebalance gc'. Dropping a database again is the same.
     */
    @Test
    void aRollBacksDropOfTheTargetWhoseConnectionDroppedIsMadeAgain() {
        try (BackupFixture f = acmeWithUsers()) {
            AtomicBoolean dropped = new AtomicBoolean();
            Cli.Result r = move(f, real -> onPool(appWritesToTheFrozenSource(f, real), "pool-1", db -> firstCallDrops(db, "drop", dropped)));

            rolledBack(f, r, dropped, "the roll-back's drop of the target lost its connection");
            assertThat(r.toString()).contains("verification failed").contains("target org_acme on pool-1 dropped")
                    .doesNotContain("Prematurely");
        }
    }

    /** Two pools, acme provisioned on pool-0 with its users and a later collection. */
    private BackupFixture acmeWithUsers() {
        BackupFixture f = new BackupFixture(2, dir);
        try {
            f.provision("acme");
            usersAndALaterCollection(f);
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /** acme moved to pool-1 (no freeze grace) through the pools {@code pools} makes of the real ones. */
    private static Cli.Result move(BackupFixture f, UnaryOperator<PoolConnector> pools) {
        return f.newCli().decoratePools(pools).run("rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0s");
    }

    /** {@code real}, its databases on {@code poolId} as {@code wrap} makes them, those on other pools its own. */
    private static PoolConnector onPool(PoolConnector real, String poolId, UnaryOperator<MongoDatabase> wrap) {
        return HookedPools.databases(real, (pool, uri, name) -> pool.equals(poolId)
                ? wrap.apply(real.database(pool, uri, name)) : real.database(pool, uri, name));
    }

    /** What a call meets whose connection dropped: "Prematurely reached end of stream". */
    private static MongoSocketReadException lostConnection() {
        return new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
    }

    /** {@code db}, the first call of its method {@code method} failing as a dropped connection, nothing of it made: {@code dropped}. */
    private static MongoDatabase firstCallDrops(MongoDatabase db, String method, AtomicBoolean dropped) {
        return HookedPools.beforeEach(db, method, () -> {
            if (dropped.compareAndSet(false, true)) {
                throw lostConnection();
            }
        });
    }

    /** Pools whose first filtered read (find) of users on {@code poolId} is cut after 500 documents: {@code dropped}. */
    private static UnaryOperator<PoolConnector> firstFilteredReadOfUsersDrops(String poolId, AtomicBoolean dropped) {
        AtomicBoolean first = new AtomicBoolean();
        return real -> onPool(real, poolId, db -> HookedPools.aroundCollectionCall(db, "find", (collection, args, find) ->
                collection.equals("users") && args != null && args.length == 1 && first.compareAndSet(false, true)
                        ? HookedPools.dropsItsCursor(find.get(), 500, projection -> dropped.compareAndSet(false, true))
                        : find.get()));
    }

    /** {@code real}, the app writing user "late" to the source once the move, frozen, has read users (its 2nd listing of zz's indexes). */
    private static PoolConnector appWritesToTheFrozenSource(BackupFixture f, PoolConnector real) {
        AtomicInteger zzListings = new AtomicInteger();
        return onPool(real, "pool-0", db -> HookedPools.aroundCollectionCall(db, "listIndexes", (collection, args, list) -> {
            if (collection.equals("zz") && zzListings.incrementAndGet() == 2) { // frozen, users read: the app writes anyway
                f.database("pool-0", "org_acme").getCollection("users").insertOne(new org.bson.Document("_id", "late"));
            }
            return list.get();
        }));
    }

    /** {@code real}, the {@code nth} read (find) of users on the source, pool-0, cut after 500 documents: {@code dropped}. */
    private static PoolConnector sourceDropsItsUsersRead(PoolConnector real, int nth, AtomicBoolean dropped) {
        AtomicInteger finds = new AtomicInteger();
        return onPool(real, "pool-0", db -> HookedPools.aroundCollectionCall(db, "find", (collection, args, find) ->
                collection.equals("users") && finds.incrementAndGet() == nth
                        ? HookedPools.dropsItsCursor(find.get(), 500, projection -> dropped.compareAndSet(false, true)) : find.get()));
    }

    /** {@code dropped} ({@code what}), then exit 0, the org on pool-1, its documents there those of the source it left. */
    private static void movedWhole(BackupFixture f, Cli.Result r, AtomicBoolean dropped, String what) {
        assertThat(dropped).as("%s: %s", what, r).isTrue();
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
        f.assertHolds("acme", BackupFixture.contents(f.database("pool-0", "org_acme")));
    }

    /** {@code dropped} ({@code what}), then exit 1, the org active on pool-0 and the target dropped. */
    private static void rolledBack(BackupFixture f, Cli.Result r, AtomicBoolean dropped, String what) {
        assertThat(dropped).as("%s: %s", what, r).isTrue();
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
        assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        assertThat(f.database("pool-1", "org_acme").listCollectionNames().first()).as("the target dropped").isNull();
    }

    /** {@code real}, the app deleting users {@code ids} on the source once their first copy is done (as zz's starts): {@code deleted}. */
    private static PoolConnector appDeletesUsers(BackupFixture f, PoolConnector real, AtomicBoolean deleted, Integer... ids) {
        return HookedPools.aroundCollectionCall(real, "org_acme"::equals, "insertMany", (collection, args, insert) -> {
            if (collection.equals("zz") && deleted.compareAndSet(false, true)) {
                f.database("pool-0", "org_acme").getCollection("users").deleteMany(new org.bson.Document("_id",
                        new org.bson.Document("$in", List.of(ids))));
            }
            return insert.get();
        });
    }

    /** The app swapping a unique key (see {@link #moveAUniqueKey}) once users' first copy is done: zz's first insert. */
    private static void appMovesAUniqueKeyOnceUsersAreCopied(BackupFixture f, String collection, Object[] args) {
        if (collection.equals("zz") && args.length == 2) {
            moveAUniqueKey(f);
        }
    }

    /** 2,000 users with a unique email (two batches), and a collection zz copied after them. */
    static void usersAndALaterCollection(BackupFixture f) {
        List<org.bson.Document> users = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            users.add(new org.bson.Document("_id", i).append("email", "u" + i + "@acme.test"));
        }
        f.db("acme").getCollection("users").insertMany(users);
        f.db("acme").getCollection("zz").insertOne(new org.bson.Document("_id", 1));
    }

    /** User 1500's email goes to user 0, in the first batch: the target's user 1500 still holds it when user 0 is caught up. */
    static void moveAUniqueKey(BackupFixture f) {
        com.mongodb.client.MongoCollection<org.bson.Document> users = f.database("pool-0", "org_acme").getCollection("users");
        users.updateOne(new org.bson.Document("_id", 1500), new org.bson.Document("$set", new org.bson.Document("email", "moved@acme.test")));
        users.updateOne(new org.bson.Document("_id", 0), new org.bson.Document("$set", new org.bson.Document("email", "u1500@acme.test")));
    }
}
