package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog's connection breaks during a 'rebalance move' (a PostgreSQL failover) and is back before the rollback:
 * the move was rolled back rightly, but the command exited 1 with "aborted: catalog unreachable at …" folded into the
 * org's error and 'rebalance status' as its next step. README: a catalog statement failing mid-run stops the worker
 * with exit 3 and one line naming the run and its --resume, as provision and restore do.
 */
@Timeout(120)
class AMoveWhoseCatalogIsLostStopsTheRunTest {

    private final TestPools pools = new TestPools(2);
    private FaultProxy catalogProxy;

    @AfterEach
    void stop() {
        if (catalogProxy != null) {
            catalogProxy.close();
        }
        pools.close();
    }

    @Test
    void theRunStopsWithExit3AndItsResumeMovesTheOrg(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        String jdbc = url.substring("jdbc:".length());
        catalogProxy = FaultProxy.to(jdbc);
        Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", "jdbc:" + catalogProxy.uriFor(jdbc), "USER", "test");
        Cli plain = new Cli(env);
        CliFixture.addPool(plain, "pool-0", pools.uri(0), 10, 1);
        CliFixture.addPool(plain, "pool-1", pools.uri(1), 10, 2);
        ok(plain, "provision", "big", "--schema", CliFixture.smallSchema(dir).toString());
        try (MongoClient client = MongoClients.create(pools.uri(0))) {
            List<Document> docs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                docs.add(new Document("_id", i).append("text", "note " + i));
            }
            client.getDatabase("org_big").getCollection("notes").insertMany(docs);
        }
        AtomicBoolean cut = new AtomicBoolean();
        // as the move first writes into its target, every catalog connection is cut at the next byte (new ones are accepted)
        Cli cli = new Cli(env).decoratePools(real -> HookedPools.databases(real, (poolId, uri, name) -> {
            MongoDatabase db = real.database(poolId, uri, name);
            return !poolId.equals("pool-1") || !name.startsWith("org_") ? db : HookedPools.beforeEach(db, "getCollection", args -> {
                if (cut.compareAndSet(false, true)) {
                    catalogProxy.afterBytes(1, catalogProxy::cutAll);
                }
            });
        }));

        Cli.Result r = cli.run("rebalance", "move", "big", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");

        assertThat(cut).as(r.toString()).isTrue();
        assertThat(r.exitCode()).as("a lost catalog is a connectivity failure: %s", r).isEqualTo(3);
        JsonNode error = strictJson(r).get("error");
        String runId = error.get("run_id").asText();
        assertThat(error.get("message").asText()).as(r.toString())
                .startsWith("rebalance run " + runId + " stopped: catalog unreachable")
                .contains("--resume " + runId);
        JsonNode big = strictJson(ok(plain, "orgs", "show", "big", "-o", "json"));
        assertThat(big.get("pool_id").asText()).as("rolled back").isEqualTo("pool-0");
        assertThat(big.get("status").asText()).isEqualTo("active");

        ok(plain, "rebalance", "apply", "--resume", runId, "-o", "json");
        assertThat(strictJson(ok(plain, "orgs", "show", "big", "-o", "json")).get("pool_id").asText()).as("the resume moved it")
                .isEqualTo("pool-1");
    }
}
