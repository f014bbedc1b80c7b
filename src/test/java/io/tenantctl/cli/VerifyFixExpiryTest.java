package io.tenantctl.cli;

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
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team 2: migrate-all refuses to build a TTL index that would at once delete existing documents unless
 * --allow-expiry (MigrateAllExpiryTest). {@code verify --fix}, sold as "the safe fixes only", builds every index an
 * org's manifest lists and it lacks with no such check. An org whose TTL index was dropped by hand (a legal hold: "stop
 * expiring sessions"), or never built, holds documents past its TTL; verify prints "tenantctl verify --org ORG --fix
 * (creates what is missing)", and that fix builds the TTL index, which deletes them. The stand-in pools never expire,
 * so the end state checked is: no TTL index may exist over documents it would expire, unless someone said so.
 */
class VerifyFixExpiryTest {

    @Test
    void verifyFixDoesNotBuildATtlIndexThatWouldDeleteExistingDocuments(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            Path ttl = MigrateAllFixture.write(dir, "ttl.json", MigrateAllExpiryTest.V2_TTL);
            MigrateAllFixture.provision(cli, ttl, List.of("acme"));
            MongoCollection<Document> sessions = direct.getDatabase("org_acme").getCollection("sessions");
            sessions.dropIndex("expiresAt_1"); // legal hold: nothing in sessions may expire for now
            sessions.dropIndex("user_1"); // and one that is safe to build again
            MigrateAllExpiryTest.fiveSessionsThreeExpired(sessions); // three past their expiry, kept by the hold

            Cli.Result found = cli.run("verify", "--org", "acme");
            assertThat(found.exitCode()).as(found.toString()).isEqualTo(4);
            assertThat(found.out() + found.err()).contains("--fix");

            Cli.Result planned = cli.run("verify", "--org", "acme", "--fix", "--dry-run");
            assertThat(planned.out()).as("the dry run says what --fix will do, refusals included: " + planned)
                    .contains("org acme: would create 0 collections and 1 index")
                    .contains("tenantctl verify --org acme --fix creates all but sessions.expiresAt_1, then: tenantctl migrate-all --org acme")
                    .contains("sessions.expiresAt_1: a TTL index: it would delete 3 documents at once");

            Cli.Result fix = cli.run("verify", "--org", "acme", "--fix");

            boolean ttlBuilt = sessions.listIndexes().into(new ArrayList<>()).stream()
                    .anyMatch(ix -> "expiresAt_1".equals(ix.getString("name")));
            long pastExpiry = sessions.countDocuments(new Document("expiresAt", new Document("$lt", Date.from(Instant.now()))));
            assertThat(pastExpiry).isEqualTo(3);
            assertThat(ttlBuilt)
                    .as("verify --fix built a TTL index over %d documents past their expiry, which deletes them at once; verify said: %s",
                            pastExpiry, fix)
                    .isFalse();
            assertThat(fix.exitCode()).as("the index is still missing: a problem").isEqualTo(4);
            assertThat(sessions.listIndexes().into(new ArrayList<>())).as("the safe one is built")
                    .anyMatch(ix -> "user_1".equals(ix.getString("name")));
            assertThat(fix.out()).as(fix.toString()).contains("org acme: created 0 collections and 1 index")
                    .doesNotContain("--fix creates").contains("tenantctl migrate-all --org acme")
                    .contains("sessions.expiresAt_1: a TTL index: it would delete 3 documents at once");

            Cli.Result again = cli.run("verify", "--org", "acme", "--fix");
            assertThat(again.out()).as("nothing is created: nothing is reported fixed; " + again).doesNotContain("created");
        }
    }
}
