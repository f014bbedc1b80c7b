package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of 74d0646: {@code ExpiryPreflight.expiresMore(wanted, had)} counts a replaced TTL index only when its
 * expireAfterSeconds is shorter than the old one's. A conflicting TTL index rebuilt with --replace-conflicting on another
 * date field (same name, same 30 days) expires, as soon as it is built, every document whose new field is older than 30
 * days - none of which the old index, on another field, would ever have expired. Nothing is counted and migrate-all
 * deletes them unasked (the same holds for a partialFilterExpression widened or removed). The comparison must be of
 * what each index would expire: the same key and a filter no wider, else count.
 */
class MigrateAllExpiryReplacedKeyTest {

    private static final String V1 = """
            {"collections": [{"name": "sessions", "indexes": [
              {"name": "ttl", "key": {"createdAt": 1}, "expireAfterSeconds": 2592000}]}]}
            """;
    private static final String V2 = """
            {"collections": [{"name": "sessions", "indexes": [
              {"name": "ttl", "key": {"lastSeenAt": 1}, "expireAfterSeconds": 2592000}]}]}
            """;

    @Test
    void aTtlIndexRebuiltOnAnotherDateFieldIsCountedAndRefusedUnlessAllowed(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            Path v1 = MigrateAllFixture.write(dir, "v1.json", V1);
            Path v2 = MigrateAllFixture.write(dir, "v2.json", V2);
            MigrateAllFixture.provision(cli, v1, List.of("acme"));
            MongoCollection<Document> sessions = direct.getDatabase("org_acme").getCollection("sessions");
            Instant now = Instant.now();
            for (int i = 0; i < 5; i++) { // all created today (the old index expires none); three last seen 60 days ago
                sessions.insertOne(new Document("_id", i).append("createdAt", Date.from(now))
                        .append("lastSeenAt", Date.from(now.minusSeconds(i < 3 ? 60L * 86_400 : 60))));
            }

            Cli.Result r = cli.run("migrate-all", "--schema", v2.toString(), "--replace-conflicting", "-o", "json");

            assertThat(r.exitCode()).as("the rebuilt TTL index would delete 3 sessions at once: refused unless --allow-expiry; %s", r)
                    .isEqualTo(1);
            JsonNode failed = strictJson(r).get("failed").get(0);
            assertThat(failed.get("error").asText()).as(r.toString()).contains("3 documents").contains("--allow-expiry");
        }
    }
}
