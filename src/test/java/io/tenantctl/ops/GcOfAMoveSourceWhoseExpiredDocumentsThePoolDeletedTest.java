package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.catalog.MoveState;
import io.tenantctl.testing.TestCatalog;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FerretDB enforces TTL indexes (a pg_cron job each minute, FERRETDB.md); the stand-in pools never do. A move's retained
 * source keeps its TTL indexes, so in the days before gc the pool deletes its sessions and tokens as they expire — and
 * gc, comparing the source with the ledger its move recorded of every document, kept it as "written since move M" for
 * ever, for every org with documents that expire (--drop-changed, which drops real late writes too, the only way on);
 * revert was refused the same way. Found by a probing helper. The ledger is now recorded of the documents that last, as
 * a deleted org's fingerprint is (LastingFingerprint), marked so; one recorded before is compared on every document.
 */
@Timeout(120)
class GcOfAMoveSourceWhoseExpiredDocumentsThePoolDeletedTest {

    private static final long HOUR = 3_600_000;

    /** acme moved from p1 to p2, with 300 notes and sessions under a TTL index: one expired an hour ago, one valid until tomorrow. */
    private static MongoDatabase movedAcme(RebalanceFixture f, Rebalance rebalance) {
        f.org("acme", 1, 300);
        MongoDatabase source = f.db(1, "org_acme");
        long now = System.currentTimeMillis();
        source.getCollection("sessions").insertMany(List.of(
                new Document("_id", "s-old").append("expiration", new Date(now - HOUR)),
                new Document("_id", "s-live").append("expiration", new Date(now + 24 * HOUR))));
        source.runCommand(new Document("createIndexes", "sessions").append("indexes", List.of(new Document("key",
                new Document("expiration", 1)).append("name", "expiration_1").append("expireAfterSeconds", 0))));
        assertThat(f.move(rebalance, "acme", "p2").report().count("moved")).isEqualTo(1);
        return source;
    }

    /** The pool's TTL job on {@code db}. */
    private static void tick(MongoDatabase db) {
        db.getCollection("sessions").deleteMany(new Document("expiration", new Document("$lt", new Date())));
    }

    @Test
    void whatThePoolExpiredOnTheRetainedSourceIsNotAWriteAndGcDropsIt() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            Rebalance rebalance = new Rebalance(f.ctx);
            MongoDatabase source = movedAcme(f, rebalance);
            tick(source);

            Rebalance.GcResult r = rebalance.gc(Duration.ZERO, false);

            assertThat(r.items()).extracting(Rebalance.GcItem::databaseName, Rebalance.GcItem::action).as(r.items().toString())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("org_acme", "dropped"));
            assertThat(f.exists(1, "org_acme")).isFalse();
            assertThat(f.onlyMove("acme").state()).isEqualTo(MoveState.CLEANED);
        }
    }

    @Test
    void aLateWriteToTheRetainedSourceIsStillFoundBesideWhatThePoolExpired() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            Rebalance rebalance = new Rebalance(f.ctx);
            MongoDatabase source = movedAcme(f, rebalance);
            tick(source);
            source.getCollection("sessions").insertOne(new Document("_id", "s-stale").append("user", "no expiry: it lasts"));
            source.getCollection("notes").insertOne(new Document("_id", "late").append("text", "a stale client's order"));

            Rebalance.GcResult r = rebalance.gc(Duration.ZERO, false);

            assertThat(r.items()).hasSize(1);
            assertThat(r.items().get(0).action()).as(r.items().toString()).isEqualTo("kept");
            assertThat(r.items().get(0).detail()).contains("written since move " + f.onlyMove("acme").moveId())
                    .contains("(collections notes, sessions)");
            assertThat(f.exists(1, "org_acme")).isTrue();
        }
    }

    /** A move by an older tenantctl recorded a ledger of every document (no mark): it is compared as it was taken. */
    @Test
    void aLedgerAnOlderVersionRecordedIsComparedWithEveryDocument() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            Rebalance rebalance = new Rebalance(f.ctx);
            MongoDatabase source = movedAcme(f, rebalance);
            TestCatalog.execute(f.url, "update moves set fingerprint = cast('" + LastingFingerprint.every(source).toJson()
                    + "' as jsonb) where org_id = 'acme'");
            tick(source);

            Rebalance.GcResult r = rebalance.gc(Duration.ZERO, false);

            assertThat(r.items().get(0).action()).as(r.items().toString()).isEqualTo("kept");
            assertThat(r.items().get(0).detail()).contains("(collections sessions)");
            assertThat(f.exists(1, "org_acme")).isTrue();
        }
    }

    /**
     * revert holds both sides to the ledger the same way: the target's pool expiring a session is no write since the move;
     * a session made there since, or any lasting write, still is.
     */
    @Test
    void revertIsNotRefusedForWhatThePoolsExpired() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            Rebalance rebalance = new Rebalance(f.ctx);
            MongoDatabase source = movedAcme(f, rebalance);
            tick(source);
            tick(f.current("acme"));
            String moveId = f.onlyMove("acme").moveId();

            assertThat(rebalance.revert(moveId, true, false, new io.tenantctl.fanout.CancelToken())).contains("would be back on p1");

            // a session made on the target since the move is a write: flipping back would lose it
            f.current("acme").getCollection("sessions").insertOne(new Document("_id", "s-new")
                    .append("expiration", new Date(System.currentTimeMillis() + 24 * HOUR)));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> rebalance.revert(moveId, true, false, new io.tenantctl.fanout.CancelToken()))
                    .hasMessageContaining("refused").hasMessageContaining("have not expired yet").hasMessageContaining("sessions");
            f.current("acme").getCollection("sessions").deleteOne(new Document("_id", "s-new"));

            f.current("acme").getCollection("notes").insertOne(new Document("_id", "new").append("text", "written after the move"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> rebalance.revert(moveId, true, false, new io.tenantctl.fanout.CancelToken()))
                    .hasMessageContaining("refused").hasMessageContaining("notes: 300 documents at the move, 301 now");
        }
    }
}
