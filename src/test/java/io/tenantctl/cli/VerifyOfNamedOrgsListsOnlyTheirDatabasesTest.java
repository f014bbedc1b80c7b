package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found that 'verify --org ORG' took 37-40 s for one empty org of a 1,000-org sandbox fleet (5.9 s at
 * 100): checking an org began with the full listing of its pool's ~340 databases. A verify of named orgs asks each pool
 * only for the databases it needs (listDatabases with a filter on their names); a fleet-wide verify keeps the full
 * listing its orphan and stray findings need. What a --org verify reports is unchanged (its missing database, and the
 * copy of it on another pool its fix points the org at).
 */
class VerifyOfNamedOrgsListsOnlyTheirDatabasesTest {

    @Test
    void verifyOfNamedOrgsListsOnlyTheirDatabases(@TempDir Path dir) {
        try (TestPools pools = new TestPools(2)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-a", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-b", pools.uri(1), 10, 2);
            String schema = CliFixture.smallSchema(dir).toString();
            ok(cli, "provision", "acme", "globex", "initech", "--pool", "pool-a", "--schema", schema);
            ok(cli, "provision", "hooli", "--pool", "pool-b", "--schema", schema);

            List<Document> listings = new CopyOnWriteArrayList<>();
            Cli recorded = cli.decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (HookedPools.is(cmd, "listDatabases")) {
                    listings.add(Document.parse(cmd.toJson()));
                }
            }));

            Cli.Result one = recorded.run("verify", "--org", "acme", "-o", "json");
            assertThat(one.exitCode()).as(one.toString()).isZero();
            assertThat(listings).as(one.toString()).isNotEmpty().allSatisfy(c -> {
                assertThat(c.getBoolean("nameOnly")).isTrue();
                assertThat(c.get("filter", Document.class)).as("a listing of acme's database only: %s", c)
                        .isEqualTo(new Document("name", new Document("$in", List.of("org_acme"))));
            });

            // two named orgs of one pool: one listing of both names serves them
            listings.clear();
            Cli.Result two = recorded.run("verify", "--org", "acme,globex", "-o", "json");
            assertThat(two.exitCode()).as(two.toString()).isZero();
            assertThat(listings).as(two.toString()).isNotEmpty().allSatisfy(c -> assertThat(c.get("filter", Document.class)
                    .get("name", Document.class).getList("$in", String.class)).containsExactlyInAnyOrder("org_acme", "org_globex"));

            // nothing a --org verify reports is lost: acme's database gone, a copy of it on pool-b
            try (MongoClient a = MongoClients.create(pools.uri(0)); MongoClient b = MongoClients.create(pools.uri(1))) {
                a.getDatabase("org_acme").drop();
                b.getDatabase("org_acme").getCollection("notes").insertOne(new Document("text", "copied by hand"));
            }
            listings.clear();
            Cli.Result gone = recorded.run("verify", "--org", "acme", "-o", "json");
            assertThat(gone.exitCode()).as(gone.toString()).isEqualTo(4);
            JsonNode doc = strictJson(gone);
            assertThat(findings(doc, "missing_database")).as(gone.toString()).singleElement()
                    .satisfies(x -> assertThat(x.get("fix").asText()).isEqualTo("tenantctl orgs adopt acme --pool pool-b"));
            assertThat(listings).as(gone.toString()).isNotEmpty().allSatisfy(c -> assertThat(c.get("filter", Document.class))
                    .isEqualTo(new Document("name", new Document("$in", List.of("org_acme")))));

            // a fleet-wide verify still lists every database: the copy is a stray only it can see
            listings.clear();
            Cli.Result fleet = recorded.run("verify", "-o", "json");
            assertThat(fleet.exitCode()).as(fleet.toString()).isEqualTo(4);
            assertThat(findings(strictJson(fleet), "stray_copy")).as(fleet.toString()).hasSize(1);
            assertThat(listings).as(fleet.toString()).isNotEmpty().allSatisfy(c -> assertThat(c.containsKey("filter")).isFalse());
        }
    }
}
