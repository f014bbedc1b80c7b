package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a move of acme into pool-1 aborted (its rollback dropped pool-1/org_acme); later a database
 * of that name is on pool-1 again — not a batch the move's paused process had in flight, but another catalog's org acme
 * on the same server (or the live copy of a later move a catalog put back from a snapshot has forgotten). gc dropped it
 * as the aborted move's leftover, and verify's fix for it was a plain 'rebalance gc'. A leftover that holds more than a
 * batch in flight could write is kept, and said so.
 */
@Timeout(120)
class AnAbortedMovesTargetNameTakenByALiveDatabaseTest {

    @TempDir
    Path dir;

    /** Two collections, 1,500 + 3 documents, an index of its own: catalog B's live org_acme on the shared server. */
    @Test
    void aLiveDatabaseUnderTheNameOfAnAbortedMovesTargetSurvivesGc() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            String moveId = abortedMove(f);
            MongoDatabase other = liveDatabaseUnderTheName(f, "catalog B's note ");

            assertKept(f, moveId, 1503);
            assertThat(other.getCollection("notes").countDocuments()).isEqualTo(1500);
            assertThat(other.getCollection("users").countDocuments()).isEqualTo(3);

            assertDropChangedDropsIt(f);
        }
    }

    /** One collection and a handful of documents, as a batch might be — but documents acme's live database does not have. */
    @Test
    void aSmallDatabaseWithDocumentsTheOrgDoesNotHaveSurvivesGc() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            String moveId = abortedMove(f);
            var other = f.database("pool-1", "org_acme");
            List<Document> notes = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                notes.add(new Document("_id", i).append("text", "catalog B's note " + i)); // acme's ids, not acme's notes
            }
            other.getCollection("notes").insertMany(notes);

            assertKept(f, moveId, 5);
            assertThat(other.getCollection("notes").countDocuments()).isEqualTo(5);
        }
    }

    /** acme (2,000 notes) moved to pool-1 with a freeze too short: aborted, its target dropped. Returns the move's id. */
    static String abortedMove(BackupFixture f) {
        f.provision("acme");
        f.seedNotes("acme", 2000);
        Cli.Result aborted = f.cli.run("rebalance", "move", "acme", "--to", "pool-1", "--max-freeze", "1ms", "--freeze-grace", "0",
                "--force", "-o", "json");
        assertThat(aborted.exitCode()).as(aborted.toString()).isEqualTo(1);
        assertThat(f.org("acme").get("pool_id").asText()).as("rolled back").isEqualTo("pool-0");
        assertThat(f.databaseNames("pool-1")).as("the rollback dropped its target").doesNotContain("org_acme");
        return strictJson(ok(f.cli, "rebalance", "status", "-o", "json")).get(0).get("move_id").asText();
    }

    /**
     * Another catalog's live org_acme on pool-1, the aborted move's target name: 1,500 notes ({@code text} and a number),
     * 3 users, and an index on the users' email that acme never had.
     */
    static MongoDatabase liveDatabaseUnderTheName(BackupFixture f, String text) {
        MongoDatabase other = f.database("pool-1", "org_acme");
        List<Document> notes = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            notes.add(new Document("_id", "b" + i).append("text", text + i));
        }
        other.getCollection("notes").insertMany(notes);
        other.getCollection("users").insertMany(List.of(new Document("_id", 1).append("email", "a@b.test"),
                new Document("_id", 2).append("email", "b@b.test"), new Document("_id", 3).append("email", "c@b.test")));
        other.getCollection("users").createIndex(new Document("email", 1));
        return other;
    }

    /** The explicit flag, once a person has checked it is nobody's: gc --drop-changed drops pool-1's org_acme, not acme. */
    static void assertDropChangedDropsIt(BackupFixture f) {
        Cli.Result dropped = ok(f.cli, "rebalance", "gc", "--drop-changed", "pool-1/org_acme", "-o", "json");
        assertThat(strictJson(dropped).get("items")).as(dropped.toString()).singleElement()
                .satisfies(i -> assertThat(i.get("action").asText()).isEqualTo("dropped"));
        assertThat(f.databaseNames("pool-1")).doesNotContain("org_acme");
        assertThat(f.db("acme").getCollection("notes").countDocuments()).as("acme's own data").isEqualTo(2000);
    }

    private static void assertKept(BackupFixture f, String moveId, long docs) {
        Cli.Result v = f.cli.run("verify", "-o", "json");
        assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
        assertThat(CliFixture.findings(strictJson(v), "move_leftover")).as(v.toString()).singleElement().satisfies(x -> {
            assertThat(x.get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(x.get("detail").asText()).contains(moveId).doesNotContain("in flight");
            assertThat(x.get("fix").isNull()).as("no command to paste blindly: %s", x).isTrue();
            assertThat(x.get("fix_note").asText()).contains("nobody's").contains("--drop-changed pool-1/org_acme");
        });

        Cli.Result dry = CliFixture.keptForAPerson(f.cli, "rebalance", "gc", "--dry-run", "-o", "json");
        assertThat(strictJson(dry).get("items")).as(dry.toString()).singleElement()
                .satisfies(i -> assertThat(i.get("action").asText()).isEqualTo("kept"));

        Cli.Result gc = CliFixture.keptForAPerson(f.cli, "rebalance", "gc", "-o", "json");
        assertThat(strictJson(gc).get("items")).as(gc.toString()).singleElement().satisfies(i -> {
            assertThat(i.get("database_name").asText()).isEqualTo("org_acme");
            assertThat(i.get("action").asText()).isEqualTo("kept");
            assertThat(i.get("detail").asText()).contains(moveId).contains("--drop-changed pool-1/org_acme").doesNotContain("in flight)");
        });
        assertThat(f.databaseNames("pool-1")).as("gc: %s", gc).contains("org_acme");
        long total = 0;
        for (String c : f.database("pool-1", "org_acme").listCollectionNames()) {
            total += f.database("pool-1", "org_acme").getCollection(c).countDocuments();
        }
        assertThat(total).isEqualTo(docs);
        JsonNode acme = f.org("acme");
        assertThat(acme.get("pool_id").asText()).isEqualTo("pool-0");
    }
}
