package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.ops.Adopt;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found profiling {@code orgs adopt --file}: for each org it adopted it read every retired copy of the fleet from the
 * catalog (to tell whether another registration of the pool's server keeps that database as a retired copy) and stored
 * again the manifest the org matched. Against local pools, 200 orgs and 2000 retired copies: 36 MB from the catalog,
 * 67 ms an org. The batch reads the retired copies once and stores a manifest once; each org's adopt still refuses, in its
 * own transaction, a copy retired since ({@link AnAdoptBatchRefusesWhatChangedWhileItRanTest}).
 */
class AnAdoptBatchReadsTheFleetOnceTest {

    private static final int RETIRED = 1000;
    private static final int COLLECTIONS = 120;

    @TempDir
    Path dir;

    @Test
    void anAdoptedOrgCostsTheCatalogNeitherTheFleetsRetiredCopiesNorItsManifest() throws Exception {
        try (TestPools pools = new TestPools(2); MongoClient client = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            String jdbc = url.substring("jdbc:".length());
            try (FaultProxy proxy = FaultProxy.to(jdbc)) {
                String proxied = "jdbc:" + proxy.uriFor(jdbc);
                Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", proxied, "USER", "oncall"));
                CliFixture.addPool(cli, "pool-0", pools.uri(0), 100, 1);
                CliFixture.addPool(cli, "pool-1", pools.uri(1), 100, 1);
                // the sources of moves from pool-1, kept there until gc: none is a database adopted here
                TestCatalog.execute(url, "insert into retired_databases (pool_id, database_name, org_id, reason) select 'pool-1', "
                        + "'org_moved_' || g, 'moved_' || g, 'moved to pool-0 by move m' || g from generate_series(1, " + RETIRED + ") g");
                // a manifest of many collections, which the app built every database with
                List<String> names = IntStream.range(0, COLLECTIONS).mapToObj(i -> "conversations_archive_" + i + "_" + "x".repeat(80)).toList();
                Path schema = Files.writeString(dir.resolve("wide.json"), "{\"collections\": [" + names.stream()
                        .map(n -> "{\"name\": \"" + n + "\", \"indexes\": []}").collect(Collectors.joining(", ")) + "]}");
                SchemaManifest manifest = SchemaManifest.load(schema);
                List<String> orgs = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    orgs.add("app" + i);
                    MongoDatabase db = client.getDatabase("org_app" + i);
                    names.forEach(db::createCollection);
                }

                long two = adopt(cli, proxy, schema, orgs.subList(0, 2));
                long ten = adopt(cli, proxy, schema, orgs.subList(2, 12));
                long perOrg = (ten - two) / 8;

                long retiredRead = bytesOfReadingTheRetiredCopies(proxied, proxy);
                assertThat(retiredRead).as("a read of the retired copies").isGreaterThan(RETIRED * 50L);
                assertThat(perOrg).as("catalog bytes an adopted org adds to its batch, against %s for a read of the fleet's retired "
                        + "copies", retiredRead).isLessThan(retiredRead / 2);
                assertThat(perOrg).as("catalog bytes an adopted org adds to its batch, against %s of the manifest it matched",
                        manifest.canonicalJson().length()).isLessThan(manifest.canonicalJson().length() / 2);

                for (String org : orgs) {
                    assertThat(strictJson(ok(cli, "orgs", "show", org, "-o", "json")).path("schema_hash").asText())
                            .as("%s is recorded as matching the manifest", org).isEqualTo(manifest.hash());
                }
                assertThat(CliFixture.count(url, "select count(*) from manifests where hash = '" + manifest.hash() + "'"))
                        .as("the manifest they match is stored").isEqualTo(1);
            }
        }
    }

    /**
     * Found reviewing adopt against the memory standard: --discover read every org row of the catalog (to know each id) and
     * every claimed database name, and an adopt read the fleet's names again for each other pool: both grew with the fleet,
     * not with the pool's databases. They now ask the catalog about the names they hold, {@link Adopt#NAMES_AT_ONCE} at a
     * time: a pool of more databases than that is told apart right across the page boundary, none offered or adopted twice
     * and none missed.
     */
    @Test
    void discoverAndAdoptAskTheCatalogOfThePoolsNamesAPageAtATimeNotTheFleet() throws Exception {
        int page = Adopt.NAMES_AT_ONCE;
        try (TestPools pools = new TestPools(2); MongoClient client = MongoClients.create(pools.uri(0));
             MongoClient other = MongoClients.create(pools.uri(1))) {
            String url = CliFixture.initialisedCatalog();
            String jdbc = url.substring("jdbc:".length());
            try (FaultProxy proxy = FaultProxy.to(jdbc)) {
                String proxied = "jdbc:" + proxy.uriFor(jdbc);
                Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", proxied, "USER", "oncall"));
                CliFixture.addPool(cli, "pool-0", pools.uri(0), 2 * page, 1);
                CliFixture.addPool(cli, "pool-1", pools.uri(1), 100 * FLEET, 1);
                // the rest of the fleet, on pool-1 (one of its databases there, and one no org owns)
                TestCatalog.execute(url, "insert into orgs (org_id, pool_id, database_name, status, tier) select 'fleet-' || g, 'pool-1', "
                        + "'org_fleet_' || g, 'active', 'free' from generate_series(1, " + FLEET + ") g");
                other.getDatabase("org_fleet_1").getCollection("users").insertOne(new Document("n", 1));
                other.getDatabase("scripts_made").getCollection("users").insertOne(new Document("n", 1));
                // pool-0: a page of databases and a few more; around the page boundary every other one has no org
                List<String> unowned = new ArrayList<>();
                for (int i = 0; i < page + 5; i++) {
                    String db = String.format("org_b_%05d", i);
                    client.getDatabase(db).getCollection("users").insertOne(new Document("n", i));
                    if (i >= page - 5 && i % 2 == 0) {
                        unowned.add(db);
                    }
                }
                TestCatalog.execute(url, "insert into orgs (org_id, pool_id, database_name, status, tier) select 'b_' || lpad(g::text, 5, '0'), "
                        + "'pool-0', 'org_b_' || lpad(g::text, 5, '0'), 'active', 'free' from generate_series(0, " + (page + 4) + ") g "
                        + "where not (g >= " + (page - 5) + " and g % 2 = 0)");
                long fleetRead = bytesOf(proxied, proxy, "select database_name from orgs");

                long before = proxy.bytes();
                JsonNode found = strictJson(ok(cli, "orgs", "adopt", "--discover", "--pool", "pool-0", "-o", "json"));
                long discovered = proxy.bytes() - before;
                List<String> offered = new ArrayList<>();
                found.get("databases").forEach(d -> offered.add(d.get("database_name").asText() + "=" + d.get("suggested_org_id").asText()));
                assertThat(offered).as("the databases no org owns, each once").containsExactlyElementsOf(unowned.stream()
                        .map(db -> db + "=" + db.substring("org_".length())).toList());
                assertThat(discovered).as("catalog bytes of --discover, against %s for a read of the fleet's database names", fleetRead)
                        .isLessThan(fleetRead / 2);

                // the lines --discover prints ('ID DATABASE'), as a file for --file
                Path file = Files.writeString(dir.resolve("adopt.txt"), offered.stream().map(o -> o.substring(o.indexOf('=') + 1) + " "
                        + o.substring(0, o.indexOf('='))).collect(Collectors.joining("\n", "", "\n")));
                before = proxy.bytes();
                JsonNode adopted = strictJson(ok(cli, "orgs", "adopt", "--file", file.toString(), "--pool", "pool-0", "-o", "json"));
                long adopting = proxy.bytes() - before;
                List<String> ids = new ArrayList<>();
                adopted.get("orgs").forEach(o -> ids.add(o.get("org_id").asText() + "=" + o.get("outcome").asText()));
                assertThat(ids).containsExactlyElementsOf(unowned.stream().map(db -> db.substring("org_".length()) + "=adopted").toList());
                assertThat(adopting).as("catalog bytes of adopting %s orgs, against %s for a read of the fleet's database names",
                        unowned.size(), fleetRead).isLessThan(fleetRead / 2);

                assertThat(CliFixture.count(url, "select count(*) from orgs where pool_id = 'pool-0' and status = 'active'"))
                        .as("every database on pool-0 is one org's").isEqualTo(page + 5);
                assertThat(strictJson(ok(cli, "orgs", "adopt", "--discover", "--pool", "pool-0", "-o", "json")).get("databases")).isEmpty();
            }
        }
    }

    private static final int FLEET = 10_000;

    /** Adopts {@code orgs} on pool-0 as one --file batch; the bytes it moved to and from the catalog. */
    private long adopt(Cli cli, FaultProxy proxy, Path schema, List<String> orgs) throws Exception {
        Path file = Files.writeString(dir.resolve("adopt-" + orgs.size() + ".txt"), String.join("\n", orgs) + "\n");
        long before = proxy.bytes();
        JsonNode batch = strictJson(ok(cli, "orgs", "adopt", "--file", file.toString(), "--pool", "pool-0", "--schema", schema.toString(),
                "-o", "json"));
        long bytes = proxy.bytes() - before;
        assertThat(batch.path("adopted").asInt()).as("%s", batch).isEqualTo(orgs.size());
        return bytes;
    }

    /** The bytes one read of every retired copy takes through the proxy. */
    private static long bytesOfReadingTheRetiredCopies(String proxied, FaultProxy proxy) throws Exception {
        return bytesOf(proxied, proxy, "select * from retired_databases");
    }

    /** The bytes {@code query} (whose rows have a database_name) takes through the proxy. */
    private static long bytesOf(String proxied, FaultProxy proxy, String query) throws Exception {
        try (Connection c = DriverManager.getConnection(proxied); Statement s = c.createStatement()) {
            long before = proxy.bytes(); // after the connection's start-up
            try (ResultSet rs = s.executeQuery(query)) {
                while (rs.next()) {
                    rs.getString("database_name");
                }
            }
            return proxy.bytes() - before;
        }
    }
}
