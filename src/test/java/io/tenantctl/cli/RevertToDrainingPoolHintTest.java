package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: the usual reason to move an org is that its pool is being drained. After such a move the org
 * takes writes on its new pool; 'rebalance revert' is then refused, rightly, and says "move it with 'tenantctl rebalance
 * move acme --to pool-0' instead". Followed literally, that move is refused too (exit 1: "pool pool-0 is draining: moves
 * only go to active pools"). The step printed must be one that works: it must say the pool is draining (and that
 * 'tenantctl pools enable pool-0' comes first), or not offer a move back to it.
 */
class RevertToDrainingPoolHintTest {

    @TempDir
    Path dir;

    @Test
    void theMoveBackARefusedRevertSuggestsWorksWhenTheSourcePoolIsDraining() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            ok(f.cli, "pools", "drain", "pool-0");
            JsonNode moved = strictJson(ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json"));
            String moveId = moved.get("orgs").get(0).get("move_id").asText();
            f.db("acme").getCollection("notes").insertOne(new Document("_id", "new")); // the org is live on pool-1

            Cli.Result revert = f.cli.run("rebalance", "revert", moveId);
            assertThat(revert.exitCode()).as(revert.toString()).isNotZero();
            String err = revert.err();
            int at = err.indexOf("'tenantctl ");
            if (at < 0) {
                return; // no step offered
            }
            String step = err.substring(at + 1, err.indexOf('\'', at + 1));
            Cli.Result followed = f.cli.run(OnCallNextStepsTest.command(step));

            assertThat(followed.exitCode()).as("revert said:\n" + err + "\nfollowing '" + step + "':\n" + followed).isZero();
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(21);
        }
    }
}
