package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.catalog.MoveState;
import io.tenantctl.catalog.Org;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FerretDB enforces TTL indexes (a pg_cron job each minute, on every pool, FERRETDB.md); the stand-in pools never do. The
 * target of a move has the source's TTL indexes, so during the freeze both pools delete expired sessions on their own
 * schedules, and the move — which held the target and the source to the ledger on every document — aborted ("source
 * changed during the freeze", or a target that differs) for any org with expired sessions or tokens: such an org might
 * never move. Found by a probing helper. Here the ticks are played at the move's hooks, as FerretDB's job would run them.
 */
@Timeout(120)
class MoveOfAnOrgWhoseExpiredDocumentsThePoolsDeleteTest {

    private static final long HOUR = 3_600_000;

    /** acme on p1: 1,200 notes (they last), and sessions under a TTL index: two expired an hour ago, one valid until tomorrow. */
    private static MongoDatabase acme(RebalanceFixture f) {
        f.org("acme", 1, 1_200);
        MongoDatabase db = f.db(1, "org_acme");
        long now = System.currentTimeMillis();
        db.getCollection("sessions").insertMany(List.of(
                new Document("_id", "s-old1").append("user", "u1").append("expiration", new Date(now - HOUR)),
                new Document("_id", "s-old2").append("user", "u2").append("expiration", new Date(now - HOUR)),
                new Document("_id", "s-live").append("user", "u3").append("expiration", new Date(now + 24 * HOUR)),
                new Document("_id", "s-keep").append("user", "u4"))); // no date: it lasts
        db.runCommand(new Document("createIndexes", "sessions").append("indexes", List.of(new Document("key",
                new Document("expiration", 1)).append("name", "expiration_1").append("expireAfterSeconds", 0))));
        return db;
    }

    /** The pool's TTL job on {@code db}: what has expired, or only {@code id} of it (the two pools tick apart). */
    private static void tick(MongoDatabase db, String id) {
        Document expired = new Document("expiration", new Document("$lt", new Date()));
        db.getCollection("sessions").deleteMany(id == null ? expired : new Document("$and", List.of(expired, new Document("_id", id))));
    }

    @Test
    void whatEachPoolExpiresDuringTheFreezeDoesNotAbortTheMove() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            MongoDatabase source = acme(f);
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.COPYING) { // the target's job, before the catch-up
                    tick(f.db(2, move.toDatabase()), "s-old1");
                }
                if (state == MoveState.VERIFYING) { // each pool's job, once more, on its own schedule
                    tick(source, "s-old1");
                    tick(f.db(2, move.toDatabase()), "s-old2");
                }
            });

            Rebalance.Result r = f.move(rebalance, "acme", "p2");

            assertThat(r.report().count("moved")).as(r.report().toString()).isEqualTo(1);
            Org org = f.catalog.orgs().get("acme");
            assertThat(org.poolId()).isEqualTo("p2");
            assertThat(org.status()).isEqualTo(Org.ACTIVE);
            MongoDatabase target = f.current("acme");
            assertThat(target.getCollection("notes").countDocuments()).isEqualTo(1_200);
            assertThat(target.getCollection("sessions").countDocuments(new Document("_id", new Document("$in", List.of("s-live", "s-keep")))))
                    .as("nothing that lasts, nor a session still valid, is lost").isEqualTo(2);
        }
    }

    @Test
    void aLastingWriteDuringTheFreezeStillAbortsTheMoveBesideWhatThePoolsExpired() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            MongoDatabase source = acme(f);
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.VERIFYING) {
                    tick(source, null);
                    tick(f.db(2, move.toDatabase()), null);
                    source.getCollection("sessions").updateOne(new Document("_id", "s-keep"), new Document("$set", new Document("user", "edited")));
                }
            });

            Rebalance.Result r = f.move(rebalance, "acme", "p2");

            assertThat(r.report().count("failed")).as(r.report().toString()).isEqualTo(1);
            assertThat(r.lines().first().error()).contains("verification failed").contains("sessions")
                    .contains("source changed during the freeze");
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p1");
            assertThat(f.catalog.orgs().get("acme").status()).isEqualTo(Org.ACTIVE);
            assertThat(f.exists(2, f.onlyMove("acme").toDatabase())).isFalse();
        }
    }

    /** A session written during the freeze that is still valid is no expiry either: the target would lack it. */
    @Test
    void aSessionStillValidWrittenDuringTheFreezeAbortsTheMove() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            MongoDatabase source = acme(f);
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.VERIFYING) {
                    tick(source, null);
                    source.getCollection("sessions").insertOne(new Document("_id", "s-new").append("user", "u5")
                            .append("expiration", new Date(System.currentTimeMillis() + 24 * HOUR)));
                }
            });

            Rebalance.Result r = f.move(rebalance, "acme", "p2");

            assertThat(r.report().count("failed")).as(r.report().toString()).isEqualTo(1);
            assertThat(r.lines().first().error()).contains("verification failed").contains("sessions").contains("s-new");
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p1");
            assertThat(source.getCollection("sessions").countDocuments(new Document("_id", "s-new"))).isEqualTo(1);
        }
    }
}
