package io.tenantctl.cli;

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
 * Left by an earlier session: an aborted move whose rollback could not drop its target (the target pool did not answer
 * then) is recorded target_dropped = false, and gc dropped whatever database bore that name later, without the check
 * f6b8feb gave a dropped target found again (AnAbortedMovesTargetNameTakenByALiveDatabaseTest): a catalog put back from
 * a dump taken before gc dropped it, while a later move's live copy of that name holds writes nowhere else, lost them.
 * gc and verify now judge it as they judge a dropped target found again, the move's copy being what it may hold.
 */
@Timeout(120)
class AnAbortedMovesUndroppedTargetTakenByALiveDatabaseTest {

    @TempDir
    Path dir;

    /** Under the name: two collections, 1,503 documents and an index acme never had — kept; --drop-changed drops it. */
    @Test
    void aLiveDatabaseUnderTheNameOfAnUndroppedTargetSurvivesGc() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            String moveId = abortedMoveWhoseTargetWasNotDropped(f);
            MongoDatabase other = AnAbortedMovesTargetNameTakenByALiveDatabaseTest.liveDatabaseUnderTheName(f, "a later note ");

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            assertThat(CliFixture.findings(strictJson(v), "move_leftover")).as(v.toString()).singleElement().satisfies(x -> {
                assertThat(x.get("detail").asText()).contains(moveId).contains("could not drop");
                assertThat(x.get("fix").isNull()).as("no command to paste blindly: %s", x).isTrue();
                assertThat(x.get("fix_note").asText()).contains("nobody's").contains("--drop-changed pool-1/org_acme");
            });
            Cli.Result dry = CliFixture.keptForAPerson(f.cli, "rebalance", "gc", "--dry-run", "-o", "json");
            assertThat(strictJson(dry).get("items")).as(dry.toString()).singleElement()
                    .satisfies(i -> assertThat(i.get("action").asText()).isEqualTo("kept"));
            Cli.Result gc = CliFixture.keptForAPerson(f.cli, "rebalance", "gc", "-o", "json");
            assertThat(strictJson(gc).get("items")).as(gc.toString()).singleElement().satisfies(i -> {
                assertThat(i.get("action").asText()).isEqualTo("kept");
                assertThat(i.get("detail").asText()).contains(moveId).contains("--drop-changed pool-1/org_acme");
            });
            assertThat(other.getCollection("notes").countDocuments()).as("gc: %s", gc).isEqualTo(1500);
            assertThat(other.getCollection("users").countDocuments()).isEqualTo(3);

            AnAbortedMovesTargetNameTakenByALiveDatabaseTest.assertDropChangedDropsIt(f);
        }
    }

    /** Under the name: what the move's copy wrote (1,200 of acme's notes as acme has them) — dropped at once. */
    @Test
    void theMovesOwnPartialCopyIsStillDropped() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            abortedMoveWhoseTargetWasNotDropped(f);
            var copy = f.database("pool-1", "org_acme");
            List<Document> part = f.db("acme").getCollection("notes").find().limit(1200).into(new ArrayList<>());
            copy.getCollection("notes").insertMany(part);

            Cli.Result gc = ok(f.cli, "rebalance", "gc", "-o", "json");
            assertThat(strictJson(gc).get("items")).as(gc.toString()).singleElement()
                    .satisfies(i -> assertThat(i.get("action").asText()).isEqualTo("dropped"));
            assertThat(f.databaseNames("pool-1")).doesNotContain("org_acme");
        }
    }

    /** acme (2,000 notes) moved to pool-1 and aborted; recorded as a rollback that could not drop its target. */
    private static String abortedMoveWhoseTargetWasNotDropped(BackupFixture f) {
        String moveId = AnAbortedMovesTargetNameTakenByALiveDatabaseTest.abortedMove(f);
        // as a rollback records it when the target pool did not answer its drop (or a catalog dumped before gc dropped it)
        CliFixture.sql(f.catalogUrl, "update moves set target_dropped = false");
        return moveId;
    }
}
