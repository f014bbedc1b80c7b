package io.tenantctl.cli;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * `migrate-all --prune` after a rollout selects no org already on the manifest, so it dropped nothing and exited 0
 * without saying why; it now says that --force is what makes it look at them, and with it the extra index goes.
 */
class MigrateAllPruneOfUpToDateOrgsTest {

    @Test
    void pruneAloneSaysTheUpToDateOrgsAreNotInspectedAndForceDropsTheExtra(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1); MongoClient direct = MongoClients.create(pools.uri(0))) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            MigrateAllFixture.provision(cli, v1, List.of("acme"));
            direct.getDatabase("org_acme").getCollection("users").createIndex(new Document("role", 1)); // made by hand

            Cli.Result pruned = cli.run("migrate-all", "--schema", v1.toString(), "--prune");

            assertThat(pruned.exitCode()).as(pruned.toString()).isZero();
            assertThat(pruned.err()).as(pruned.toString()).contains("1 org already has manifest").contains("add --force");
            ok(cli, "migrate-all", "--schema", v1.toString(), "--prune", "--force");
            SchemaCheck.assertExactly(url, List.of("acme"), SchemaManifest.load(v1));
        }
    }
}
