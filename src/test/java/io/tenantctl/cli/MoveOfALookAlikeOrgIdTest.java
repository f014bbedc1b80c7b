package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Org ids {@code a-b} and {@code a_b} both map to database {@code org_a_b}. Provision, adopt and restore --to-org check
 * that name against every org in the catalog (orgs.database_name is unique catalog-wide), but a move's target name is
 * checked only against the target pool: {@code a_b} (adopted from a legacy database) moved to a pool where no
 * {@code org_a_b} exists gets target {@code org_a_b}, which org {@code a-b} already owns on its own pool. The copy,
 * freeze and verification all run, then the flip breaks the catalog's unique constraint: the move fails on every
 * re-run (the same target name each time), and the org can never be moved.
 */
@Timeout(120)
class MoveOfALookAlikeOrgIdTest {

    @Test
    void anOrgWhoseIdLooksLikeAnothersMovesToAPoolTheOtherDoesNotLiveOn(@TempDir Path dir) {
        try (TestPools pools = new TestPools(2); MongoClient direct = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(1), 10, 2);
            ok(cli, "provision", "a-b", "--pool", "pool-1", "--schema", CliFixture.smallSchema(dir).toString());

            MongoDatabase legacy = direct.getDatabase("legacy_ab");
            for (int i = 0; i < 5; i++) {
                legacy.getCollection("notes").insertOne(new Document("_id", i).append("text", "note " + i));
            }
            ok(cli, "orgs", "adopt", "a_b", "--pool", "pool-1", "--database", "legacy_ab");

            Cli.Result move = cli.run("rebalance", "move", "a_b", "--to", "pool-2", "--freeze-grace", "0");
            assertThat(move.exitCode()).as("moving a_b to pool-2, where org_a_b is free: %s", move).isZero();

            JsonNode moved = strictJson(ok(cli, "orgs", "show", "a_b", "-o", "json"));
            assertThat(moved.toString()).as("a_b after its move").contains("\"pool-2\"");
            JsonNode other = strictJson(ok(cli, "orgs", "show", "a-b", "-o", "json"));
            assertThat(other.toString()).as("a-b is left where it was").contains("\"pool-1\"").contains("\"org_a_b\"");
        }
    }
}
