package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code orgs adopt --file} reads the catalog's retired copies once for its batch ({@link AnAdoptBatchReadsTheFleetOnceTest}),
 * not before each org: what changes while it runs must still be refused. Here, while the batch's first org is inspected,
 * a restore of another org finishes, recording the database the second org would take as its retired copy on pool-0 —
 * the server the batch adopts on, registered a second time as pool-2 (localhost for 127.0.0.1) — and a restore starts
 * writing the database the third would take. Neither is adopted; the adopt run again tells the retired copy for what it is.
 */
class AnAdoptBatchRefusesWhatChangedWhileItRanTest {

    @TempDir
    Path dir;

    @Test
    void aCopyRetiredAndADatabaseBeingWrittenMeanwhileAreNotAdopted() throws Exception {
        try (TestPools pools = new TestPools(1); MongoClient client = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            AtomicBoolean changed = new AtomicBoolean();
            Cli cli = Cli.withCatalog(url).decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_first") ? db
                    : HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        if (changed.compareAndSet(false, true)) {
                            TestCatalog.execute(url, "insert into retired_databases (pool_id, database_name, org_id, reason) values "
                                    + "('pool-0', 'org_second', 'globex', 'replaced by restore of backup 20260101000000abcdef')");
                            TestCatalog.execute(url, "insert into runs (run_id, verb, args, status, actor, heartbeat_at) values ('r-acme', "
                                    + "'restore', '{\"org\": \"acme\", \"pool\": \"pool-2\", \"database\": \"org_third\"}', 'running', 'oncall', now())");
                        }
                    })));
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(0).replace("127.0.0.1", "localhost"), 10, 0);
            for (String org : new String[] {"first", "second", "third"}) {
                client.getDatabase("org_" + org).getCollection("notes").insertOne(new Document("n", 1));
            }
            Path file = Files.writeString(dir.resolve("adopt.txt"), "first\nsecond\nthird\n");

            Cli.Result r = cli.run("orgs", "adopt", "--file", file.toString(), "--pool", "pool-2", "-o", "json");
            assertThat(changed).as("the catalog changed during the batch").isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            Map<String, JsonNode> outcome = new HashMap<>();
            strictJson(r).get("orgs").forEach(o -> outcome.put(o.get("org_id").asText(), o));
            assertThat(outcome.get("first").get("outcome").asText()).as(r.toString()).isEqualTo("adopted");
            assertThat(outcome.get("second").get("outcome").asText()).as(r.toString()).isEqualTo("failed");
            assertThat(outcome.get("second").get("error").asText()).contains("org globex's retired copy on pool pool-0");
            assertThat(outcome.get("third").get("outcome").asText()).as(r.toString()).isEqualTo("failed");
            assertThat(outcome.get("third").get("error").asText()).contains("being written by restore run r-acme");
            for (String org : new String[] {"second", "third"}) {
                assertThat(cli.run("orgs", "show", org).exitCode()).as("%s is not adopted", org).isEqualTo(2);
            }

            Cli.Result again = cli.run("orgs", "adopt", "second", "--pool", "pool-2", "-o", "json");
            assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
            assertThat(strictJson(again).get("orgs").get(0).get("error").asText()).as(again.toString())
                    .contains("is org globex's retired copy on pool pool-0").contains("the same server registered twice");
        }
    }
}
