package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team 2: {@code rebalance revert} flips an org back to its retained source and retires the move's target
 * ("target of reverted move"). Unlike a move, revert has no freeze grace: it sets the org read_only and flips at once,
 * so a client whose routing was cached while the org lived on the target keeps writing there. gc compares a retained
 * move source with its ledger before it drops it (the fix for the first red team), but a reverted target is dropped
 * without a look: the late write is lost and gc reports "dropped".
 */
class GcRevertedTargetWrittenTest {

    @TempDir
    Path dir;

    @Test
    void gcKeepsARevertedTargetThatWasWrittenAfterTheRevert() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 50);
            JsonNode moved = strictJson(ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json"));
            String moveId = moved.get("orgs").get(0).get("move_id").asText();
            assertThat(f.org("acme").get("pool_id").asText()).as(moved.toString()).isEqualTo("pool-1");
            MongoDatabase target = f.database("pool-1", "org_acme");

            ok(f.cli, "rebalance", "revert", moveId);
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");

            // a client whose routing still names pool-1 (cached while the org lived there) writes one more order
            target.getCollection("a_notes").insertOne(new Document("_id", "late order"));

            JsonNode gc = strictJson(CliFixture.keptForAPerson(f.cli, "rebalance", "gc", "--older-than", "0", "-o", "json"));

            boolean onTarget = f.databaseNames("pool-1").contains("org_acme")
                    && target.getCollection("a_notes").countDocuments(new Document("_id", "late order")) == 1;
            boolean onOrg = f.db("acme").getCollection("a_notes").countDocuments(new Document("_id", "late order")) == 1;
            assertThat(onTarget || onOrg).as("the write made after the revert survives somewhere; gc said %s", gc).isTrue();
        }
    }
}
