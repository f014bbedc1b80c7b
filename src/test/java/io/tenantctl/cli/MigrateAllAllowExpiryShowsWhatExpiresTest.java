package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * migrate-all refuses a new TTL index that would delete existing documents, naming how many, "unless --allow-expiry".
 * Once the operator adds --allow-expiry, the count disappears: the dry run of the very command about to be run plans
 * the org with "expiring": [] and so does the real run's report, so neither the reviewed plan nor the record of the
 * rollout says that 3 sessions are deleted the moment the index exists ("migrate-all never touches documents" holds
 * only if that number is shown).
 */
@Timeout(60)
class MigrateAllAllowExpiryShowsWhatExpiresTest {

    private static final String V1 = """
            {"collections": [{"name": "sessions", "indexes": [{"name": "user_1", "key": {"user": 1}}]}]}
            """;

    @Test
    void theDryRunAndTheReportOfAnAllowedExpirySayHowManyDocumentsGo(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", CliFixture.initialisedCatalog(), "USER", "test"));
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            MigrateAllFixture.provision(cli, MigrateAllFixture.write(dir, "v1.json", V1), List.of("acme"));
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllExpiryTest.V2_TTL);
            MongoCollection<Document> sessions = direct.getDatabase("org_acme").getCollection("sessions");
            MigrateAllExpiryTest.fiveSessionsThreeExpired(sessions);

            Cli.Result dry = cli.run("migrate-all", "--schema", v2.toString(), "--allow-expiry", "--dry-run", "-o", "json");
            assertThat(dry.exitCode()).as(dry.toString()).isZero();
            JsonNode planned = strictJson(dry).get("orgs").get(0).get("plan");
            assertThat(planned.get("create_indexes").toString()).contains("sessions.expiresAt_1");
            assertThat(planned.get("expiring").toString()).as("the plan of the command about to run says what it deletes: %s", dry)
                    .contains("sessions.expiresAt_1").contains("3 documents");

            Cli.Result run = cli.run("migrate-all", "--schema", v2.toString(), "--allow-expiry", "-o", "json");
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(strictJson(run).get("orgs").get(0).get("plan").get("expiring").toString())
                    .as("the rollout's report records what it let expire: %s", run).contains("3 documents");
        }
    }
}
