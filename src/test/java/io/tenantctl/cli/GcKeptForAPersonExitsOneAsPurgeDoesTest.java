package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code orgs purge} exits 1 for a database it keeps for a person (written since its delete: merge, then
 * {@code --drop-changed}); {@code rebalance gc} kept a retained move source written since its move for the very same
 * reason, and exited 0 — a gc run from cron said all was well while a stale client's writes sat in a database no org
 * points at. It now exits 1 for such a copy (the table says how many were kept for a person), while a copy still within
 * {@code --older-than} (not listed: nothing to do yet) and a run that dropped what it could leave it at 0.
 */
class GcKeptForAPersonExitsOneAsPurgeDoesTest {

    @Test
    void aRetainedSourceWrittenSinceItsMoveIsKeptWithExitOneAndOneInItsGraceIsNot(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 100);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            MongoDatabase source = f.database("pool-0", "org_acme");
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            f.assertHolds("acme", before);

            // within its grace: not listed, nothing to do, exit 0 (from cron: all is well)
            JsonNode inGrace = strictJson(ok(f.cli, "rebalance", "gc", "-o", "json"));
            assertThat(inGrace.get("items")).as(inGrace.toString()).isEmpty();
            assertThat(f.databaseNames("pool-0")).contains("org_acme");

            // a stale client writes to the retained source: gc keeps it for a person, and says so with exit 1, as purge
            source.getCollection("a_notes").insertOne(new Document("_id", "late order"));
            for (String[] args : List.of(new String[]{"rebalance", "gc", "--older-than", "0", "-o", "json"},
                    new String[]{"rebalance", "gc", "--older-than", "0", "--dry-run", "-o", "json"})) {
                Cli.Result r = f.cli.run(args);
                assertThat(r.exitCode()).as("kept for a person, as purge's kept: %s", r).isEqualTo(1);
                JsonNode item = strictJson(r).get("items").get(0);
                assertThat(item.get("action").asText()).as(r.toString()).isEqualTo("kept");
                assertThat(item.get("detail").asText()).as(r.toString()).contains("written since move");
            }
            Cli.Result table = f.cli.run("rebalance", "gc", "--older-than", "0");
            assertThat(table.exitCode()).as("the table's exit code is the JSON's: %s", table).isEqualTo(1);
            assertThat(table.out()).contains("dropped 0 databases; 1 kept for a person to look at (see detail)");
            assertThat(source.getCollection("a_notes").countDocuments(new Document("_id", "late order"))).isEqualTo(1);
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            f.assertHolds("acme", before);

            // merged by the person, dropped on purpose: nothing left for anyone, exit 0
            JsonNode forced = strictJson(ok(f.cli, "rebalance", "gc", "--older-than", "0", "--drop-changed", "pool-0/org_acme", "-o", "json"));
            assertThat(forced.get("items").get(0).get("action").asText()).as(forced.toString()).isEqualTo("dropped");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
            f.assertHolds("acme", before);
        }
    }
}
