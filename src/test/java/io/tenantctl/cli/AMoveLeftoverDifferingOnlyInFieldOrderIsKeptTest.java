package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * gc drops an aborted move's leftover target only when each of its documents is one the org's live database has as it
 * is. The leftover was held to the live database by the driver's BsonDocument.equals, which ignores field order: a
 * document whose compound _id is a live one's in another field order (another document to MongoDB and FerretDB), or
 * whose fields are in another order (not the move's byte-exact copy), passed for the org's own, and gc dropped it.
 */
@Timeout(120)
class AMoveLeftoverDifferingOnlyInFieldOrderIsKeptTest {

    @TempDir
    Path dir;

    @Test
    void aDocumentUnderAReorderedCompoundIdIsNotTheOrgsAndIsKept() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            liveVisits(f);
            abortedMoveWhoseTargetWasNotDropped(f);
            var leftover = f.database("pool-1", "org_acme");
            // the live one, as acme has it, and one acme never had: {day, user} is another _id than {user, day}
            leftover.getCollection("visits", BsonDocument.class).insertMany(List.of(visit(compound("user", 1, "day", 2)),
                    visit(compound("day", 2, "user", 1))));

            Cli.Result gc = CliFixture.keptForAPerson(f.cli, "rebalance", "gc", "-o", "json");

            assertThat(strictJson(gc).get("items")).as(gc.toString()).singleElement()
                    .satisfies(i -> assertThat(i.get("action").asText()).isEqualTo("kept"));
            assertThat(leftover.getCollection("visits").countDocuments()).as("gc: %s", gc).isEqualTo(2);
        }
    }

    @Test
    void aDocumentWhoseFieldsAreInAnotherOrderIsNotTheMovesCopyAndIsKept() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            liveVisits(f);
            abortedMoveWhoseTargetWasNotDropped(f);
            var leftover = f.database("pool-1", "org_acme");
            leftover.getCollection("visits", BsonDocument.class).insertOne(new BsonDocument("_id", compound("user", 1, "day", 2))
                    .append("pages", new BsonInt32(3)).append("note", new BsonString("first")));

            Cli.Result gc = CliFixture.keptForAPerson(f.cli, "rebalance", "gc", "-o", "json");

            assertThat(strictJson(gc).get("items")).as(gc.toString()).singleElement()
                    .satisfies(i -> assertThat(i.get("action").asText()).isEqualTo("kept"));
            assertThat(leftover.getCollection("visits").countDocuments()).as("gc: %s", gc).isEqualTo(1);
        }
    }

    /** acme's one visit, {_id: {user: 1, day: 2}, note, pages}. */
    private static void liveVisits(BackupFixture f) {
        f.provision("acme");
        f.db("acme").getCollection("visits", BsonDocument.class).insertOne(visit(compound("user", 1, "day", 2)));
    }

    private static BsonDocument visit(BsonDocument id) {
        return new BsonDocument("_id", id).append("note", new BsonString("first")).append("pages", new BsonInt32(3));
    }

    private static BsonDocument compound(String k1, int v1, String k2, int v2) {
        return new BsonDocument(k1, new BsonInt32(v1)).append(k2, new BsonInt32(v2));
    }

    /** acme moved to pool-1 and aborted; recorded as a rollback that could not drop its target. */
    private static void abortedMoveWhoseTargetWasNotDropped(BackupFixture f) {
        f.seedNotes("acme", 2000);
        Cli.Result aborted = f.cli.run("rebalance", "move", "acme", "--to", "pool-1", "--max-freeze", "1ms", "--freeze-grace", "0",
                "--force", "-o", "json");
        assertThat(aborted.exitCode()).as(aborted.toString()).isEqualTo(1);
        assertThat(f.org("acme").get("pool_id").asText()).as("rolled back").isEqualTo("pool-0");
        CliFixture.sql(f.catalogUrl, "update moves set target_dropped = false");
        assertThat(f.databaseNames("pool-1")).doesNotContain("org_acme");
    }
}
