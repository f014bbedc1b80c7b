package io.tenantctl.ops;

import io.tenantctl.catalog.MoveState;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two documents whose _ids are sub-documents with the same fields in another order ({user, day} written by one service,
 * {day, user} by another: a classic of compound _ids) are two documents to MongoDB and FerretDB. The mover keys its
 * catch-up look-ups by {@code BsonValue} in a HashMap, and BsonDocument's equals/hashCode ignore field order, so the
 * two collapse into one key: when one of them is deleted on the source before the freeze's catch-up,
 * {@code removeAbsent} finds its twin in the map and never deletes it from the target. The target then holds a
 * document the source does not, verification fails, and the move is aborted — every time, for an org whose app deletes
 * such documents while it is being moved.
 */
class MoveWithCompoundIdsInAnotherFieldOrderTest {

    @Test
    void aDocumentDeletedBeforeTheCatchUpIsDeletedOnTheTargetEvenWhenItsIdHasATwinInAnotherFieldOrder() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 10);
            BsonDocument userFirst = new BsonDocument("user", new BsonString("u1")).append("day", new BsonString("2025-03-14"));
            BsonDocument dayFirst = new BsonDocument("day", new BsonString("2025-03-14")).append("user", new BsonString("u1"));
            var visits = f.db(1, "org_acme").getCollection("visits", BsonDocument.class);
            visits.insertMany(List.of(
                    new BsonDocument("_id", userFirst).append("n", new BsonInt32(1)),
                    new BsonDocument("_id", dayFirst).append("n", new BsonInt32(2)),
                    new BsonDocument("_id", new BsonString("other")).append("n", new BsonInt32(3))));
            assertThat(visits.countDocuments()).as("two documents to the server").isEqualTo(3);

            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.FROZEN) { // within --freeze-grace: a client whose routing was not refreshed yet
                    f.db(1, "org_acme").getCollection("visits", BsonDocument.class).deleteOne(new BsonDocument("_id", dayFirst));
                }
            });
            Rebalance.Result r = f.move(rebalance, "acme", "p2");

            assertThat(r.report().count("moved")).as(String.valueOf(r.lines().first().error())).isEqualTo(1);
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
            var moved = f.current("acme").getCollection("visits", BsonDocument.class);
            assertThat(moved.find().into(new java.util.ArrayList<>())).extracting(d -> d.get("_id"))
                    .containsExactlyInAnyOrder(userFirst, new BsonString("other"));
            assertThat(moved.countDocuments()).isEqualTo(2);
        }
    }
}
