package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: after a move, a client whose routing was cached from before the move (the pools accept writes whatever the
 * routing view says) writes to the retained source. {@code rebalance revert} sees it (the source no longer equals the
 * move's ledger) and refuses; {@code rebalance gc} does not look and drops the source, so the write is lost without a
 * word - gc reports "dropped". gc should keep (and report) a retained source that no longer equals its ledger, as revert
 * does.
 */
class GcRetainedSourceWrittenTest {

    @TempDir
    Path dir;

    @Test
    void gcKeepsARetainedSourceThatWasWrittenAfterTheMove() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 100);
            MongoDatabase source = f.database("pool-0", "org_acme");

            JsonNode moved = strictJson(ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json"));
            assertThat(f.org("acme").get("pool_id").asText()).as(moved.toString()).isEqualTo("pool-1");

            // a stale client: its write lands on the retained source
            source.getCollection("a_notes").insertOne(new Document("_id", "late order"));
            String moveId = moved.get("orgs").get(0).get("move_id").asText();
            Cli.Result revert = f.cli.run("rebalance", "revert", moveId, "--dry-run");
            assertThat(revert.exitCode()).as("revert sees the write: %s", revert).isNotZero();

            JsonNode gc = strictJson(CliFixture.keptForAPerson(f.cli, "rebalance", "gc", "--older-than", "0", "-o", "json"));

            boolean onSource = f.databaseNames("pool-0").contains("org_acme")
                    && source.getCollection("a_notes").countDocuments(new Document("_id", "late order")) == 1;
            boolean onTarget = f.db("acme").getCollection("a_notes").countDocuments(new Document("_id", "late order")) == 1;
            assertThat(onSource || onTarget).as("the late write survives somewhere; gc said %s", gc).isTrue();
            JsonNode item = gc.get("items").get(0);
            assertThat(item.get("action").asText()).as(gc.toString()).isEqualTo("kept");
            assertThat(item.get("detail").asText()).as(gc.toString()).contains("written since move " + moveId).contains("a_notes")
                    .contains("--drop-changed pool-0/org_acme");

            Cli.Result typo = f.cli.run("rebalance", "gc", "--older-than", "0", "--drop-changed", "pool-0/org_acmee");
            assertThat(typo.exitCode()).as("a typo is not 'dropped what I merged': " + typo).isEqualTo(2);
            assertThat(typo.err()).contains("pool-0/org_acmee");
            assertThat(f.databaseNames("pool-0")).contains("org_acme");

            // once a person merged the write into the org, they drop it on purpose
            JsonNode forced = strictJson(ok(f.cli, "rebalance", "gc", "--older-than", "0", "--drop-changed", "pool-0/org_acme", "-o", "json"));
            assertThat(forced.get("items").get(0).get("action").asText()).as(forced.toString()).isEqualTo("dropped");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
        }
    }
}
