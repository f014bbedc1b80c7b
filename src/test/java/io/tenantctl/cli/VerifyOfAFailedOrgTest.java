package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: an org whose provision failed (here its database already held someone's documents) stays
 * {@code failed}, holding a place on its pool, and verify said nothing of it. It is a problem with the command that
 * retries it and the one that frees its place, until one of them is run.
 */
class VerifyOfAFailedOrgTest {

    @Test
    void aFailedOrgIsReportedWithTheCommandsThatEndItUntilOneIsRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-a", pools.uri(0), 10, 1);
            ok(cli, "provision", "acme", "--schema", CliFixture.smallSchema(dir).toString());
            direct.getDatabase("org_busy").getCollection("notes").insertOne(new Document("_id", 1)); // not ours
            assertThat(cli.run("provision", "busy", "--schema", CliFixture.smallSchema(dir).toString()).exitCode()).isEqualTo(1);

            Cli.Result r = cli.run("verify", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            List<JsonNode> failed = findings(strictJson(r), "org_failed");
            assertThat(failed).as(r.toString()).hasSize(1);
            assertThat(failed.get(0).get("org_id").asText()).isEqualTo("busy");
            assertThat(failed.get(0).get("detail").asText()).contains("holds a place on pool pool-a").contains("tenantctl runs show ");
            // its database holds data provision never takes over: adopt registers it (a re-run of the provision would fail again)
            assertThat(failed.get(0).get("fix").asText()).isEqualTo("tenantctl orgs adopt busy --pool pool-a");
            assertThat(failed.get(0).get("fix_note").asText()).contains("tenantctl orgs forget busy");

            ok(cli, "orgs", "forget", "busy");
            JsonNode after = strictJson(cli.run("verify", "-o", "json")); // org_busy, nobody's now, is an orphan
            assertThat(findings(after, "org_failed")).as(after.toString()).isEmpty();
            assertThat(findings(after, "orphan_database")).as(after.toString()).hasSize(1);
            assertThat(direct.getDatabase("org_busy").getCollection("notes").countDocuments()).as("forget drops nothing").isEqualTo(1);
        }
    }

}
