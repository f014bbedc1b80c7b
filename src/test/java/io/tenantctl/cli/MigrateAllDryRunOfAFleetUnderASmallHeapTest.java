package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming (memory at scale, round two): {@code migrate-all --dry-run -o json} over a fleet of 50,000 orgs
 * holds its document several times over. MigrateAll.dryRun keeps every Fanout outcome (each org's plan as a JSON
 * string), copies each into a RunReport.Org (the plan wrapped again as a string), and MigrateAllCommand.json hands the
 * report to Summary.json, which parses every org's detail into a JsonNode and converts it into a Map tree
 * ({@code Output.JSON.convertValue(o.detail(), Map.class)}) — every line of the document as nested maps — before
 * Output.json writes the first byte; MigrateAllCommand.totals then parses each detail four times more. The document is
 * 24 MB; under -Xmx128m (five times that) the dry run dies with "ran out of memory (GC overhead limit exceeded)", exit 1,
 * and no plan at all — while the table of the very same dry run (renderPlan) fits in the same heap. A rollout is
 * planned with --dry-run -o json (the README's own example) exactly when it matters: the whole fleet.
 */
@org.junit.jupiter.api.Tag("slow") // 50,000 orgs in a child JVM: 20-60 s on 2 cores
class MigrateAllDryRunOfAFleetUnderASmallHeapTest {

    private static final int ORGS = 50_000;

    @TempDir
    Path dir;

    @Test
    void aDryRunOfFiftyThousandOrgsIsOneJsonDocumentUnder128Mb() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            // 50,000 active orgs with no manifest recorded: the dry run plans the small schema for each. Each org's database
            // is there with a document in `users` and no index (an active org whose database is gone is refused, not
            // planned, since c7d6a71f), so each org's plan is its `messages` collection and the 3 indexes
            String url = CliFixture.fleetCatalog(pools, ORGS, "null");
            try (com.mongodb.client.MongoClient client = com.mongodb.client.MongoClients.create(pools.uri(0))) {
                for (int i = 1; i <= ORGS; i++) {
                    client.getDatabase(String.format("org_org_%06d", i)).getCollection("users").insertOne(new org.bson.Document("_id", 1));
                }
            }
            Path schema = CliFixture.smallSchema(dir);
            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall");

            ChildJvm.Exit exit = ChildJvm.run(dir.resolve("dry-run"), env, 300, List.of("-Xmx128m", "-XX:+UseParallelGC"),
                    Main.class.getName(), "migrate-all", "--schema", schema.toString(), "--dry-run", "-o", "json");

            String err = exit.err();
            assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
            assertThat(exit.code()).as("migrate-all --dry-run -o json of %s orgs under -Xmx128m: %s", ORGS, err).isZero();
            JsonNode plan = CliFixture.strictJson(new Cli.Result(exit.code(), exit.out(), err));
            assertThat(plan.get("orgs")).hasSize(ORGS);
            assertThat(plan.path("totals").path("create_indexes").asInt()).isEqualTo(3 * ORGS);
        }
    }
}
