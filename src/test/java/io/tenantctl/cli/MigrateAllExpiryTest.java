package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TTL index deletes, as soon as it exists, every document whose date is older than its expireAfterSeconds: a manifest
 * that adds one (LibreChat's sessions, tokens, shared links have them) would make migrate-all delete documents, which it
 * promises never to do unasked. It counts them first and refuses, naming how many, unless --allow-expiry. The stand-in
 * pools count but never expire, so what this checks is the refusal and the unchanged end state, then the index built.
 */
class MigrateAllExpiryTest {

    private static final String V1 = """
            {"collections": [{"name": "sessions", "indexes": [{"name": "user_1", "key": {"user": 1}}]}]}
            """;
    static final String V2_TTL = """
            {"collections": [{"name": "sessions", "indexes": [{"name": "user_1", "key": {"user": 1}},
              {"name": "expiresAt_1", "key": {"expiresAt": 1}, "expireAfterSeconds": 0}]}]}
            """;

    @Test
    void aNewTtlIndexThatWouldDeleteExistingDocumentsIsRefusedNamingHowManyUnlessAllowed(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = acmeOnOnePool(url, pools, dir, V1);
            Path v1 = dir.resolve("v1.json");
            Path v2 = MigrateAllFixture.write(dir, "v2.json", V2_TTL);
            MongoCollection<Document> sessions = direct.getDatabase("org_acme").getCollection("sessions");
            fiveSessionsThreeExpired(sessions);

            Cli.Result dry = cli.run("migrate-all", "--schema", v2.toString(), "--dry-run", "-o", "json");
            Cli.Result refused = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");

            for (Cli.Result r : List.of(dry, refused)) {
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
                JsonNode failed = strictJson(r).get("failed").get(0);
                assertThat(failed.get("error").asText()).as(r.toString())
                        .contains("sessions.expiresAt_1 (expiresAt older than 0 s): 3 documents").contains("--allow-expiry");
            }
            assertThat(strictJson(dry).get("orgs").get(0).path("plan").path("expiring").toString()).as(dry.toString()).contains("3 documents");
            assertThat(sessions.countDocuments()).isEqualTo(5);
            assertThat(SchemaCheck.diff(url, "acme", SchemaManifest.load(v2)).upToDate()).as("nothing was built").isFalse();
            SchemaCheck.assertClean(url, List.of("acme"), SchemaManifest.load(v1));

            JsonNode allowed = strictJson(ok(cli, "migrate-all", "--schema", v2.toString(), "--allow-expiry", "-o", "json"));
            assertThat(allowed.get("migrated").asInt()).isEqualTo(1);
            SchemaCheck.assertExactly(url, List.of("acme"), SchemaManifest.load(v2));
        }
    }

    /**
     * Found probing clocks: the count took "now" from the worker's clock, but the pool expires documents by its own (its
     * PostgreSQL's pg_cron). A worker two hours behind its pool counted none of the sessions that expired within those two
     * hours, and the index it then built deleted them unasked.
     */
    @Test
    void theCountGoesByThePoolsClockNotTheWorkers(@TempDir Path dir) {
        java.time.Clock poolClock = java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofHours(2)); // 2 h ahead
        try (TestPools pools = new TestPools(1, () -> io.tenantctl.testing.standin.StandIn.memory(poolClock));
             MongoClient direct = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = acmeOnOnePool(url, pools, dir, V1);
            Path v2 = MigrateAllFixture.write(dir, "v2.json", V2_TTL);
            MongoCollection<Document> sessions = direct.getDatabase("org_acme").getCollection("sessions");
            Instant now = Instant.now(); // the worker's clock
            sessions.insertOne(new Document("_id", "expired an hour ago by the pool's clock").append("expiresAt", Date.from(now.plusSeconds(3_600))));
            sessions.insertOne(new Document("_id", "valid for a day").append("expiresAt", Date.from(now.plusSeconds(86_400))));

            Cli.Result refused = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");

            assertThat(refused.exitCode()).as("the pool would delete one session at once: %s", refused).isEqualTo(1);
            assertThat(strictJson(refused).get("failed").get(0).get("error").asText()).as(refused.toString())
                    .contains("sessions.expiresAt_1 (expiresAt older than 0 s): 1 document");
            assertThat(SchemaCheck.diff(url, "acme", SchemaManifest.load(v2)).upToDate()).as("nothing was built").isFalse();
        }
    }

    /** Five sessions: three expired a day ago, two still valid for a day. */
    static void fiveSessionsThreeExpired(MongoCollection<Document> sessions) {
        Instant now = Instant.now();
        for (int i = 0; i < 5; i++) {
            sessions.insertOne(new Document("_id", i).append("user", "u" + i)
                    .append("expiresAt", Date.from(now.plusSeconds(i < 3 ? -86_400 : 86_400))));
        }
    }

    /**
     * A conflicting TTL index rebuilt with --replace-conflicting on another date field (same name, same 30 days) expires
     * every document whose new field is older than that, none of which the old index would have: counted and refused
     * too (as is a filter widened or dropped), not only a shorter expiry.
     */
    @Test
    void aTtlIndexRebuiltOnAnotherDateFieldIsCountedAndRefusedUnlessAllowed(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            Cli cli = acmeOnOnePool(CliFixture.initialisedCatalog(), pools, dir, """
                    {"collections": [{"name": "sessions", "indexes": [
                      {"name": "ttl", "key": {"createdAt": 1}, "expireAfterSeconds": 2592000}]}]}
                    """);
            Path v2 = MigrateAllFixture.write(dir, "v2.json", """
                    {"collections": [{"name": "sessions", "indexes": [
                      {"name": "ttl", "key": {"lastSeenAt": 1}, "expireAfterSeconds": 2592000}]}]}
                    """);
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

    /** One pool, and org acme on it provisioned with the manifest {@code v1} (written to v1.json in {@code dir}). */
    private static Cli acmeOnOnePool(String url, TestPools pools, Path dir, String v1) {
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
        MigrateAllFixture.provision(cli, MigrateAllFixture.write(dir, "v1.json", v1), List.of("acme"));
        return cli;
    }
}
