package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.LibreChatFixtures;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team n: the deploy pipeline rolls LibreChat 0.0.71-search out while the old application version is still signing
 * up an org (provision with 0.0.71, in flight: the org is `provisioning` and its provision holds the org's lease).
 * migrate-all leaves the org out without a word — not selected, not skipped, not waited for — and exits 0; a moment
 * later the provision records 0.0.71 and the org stays on the old manifest although the pipeline was told the rollout
 * succeeded. README, migrate-all "Selection": an org another operation holds for a moment is "waited for like any busy
 * org ... never left on the old manifest with exit 0".
 */
@Timeout(240)
class RolloutDuringASignupProvisionTest {

    @TempDir
    Path dir;

    @Test
    void anOrgProvisionedWithTheOldManifestDuringTheRolloutIsNotLeftBehindWithExitZero() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
            Path current = MigrateAllFixture.write(dir, "librechat-0.0.71.json", LibreChatFixtures.read(LibreChatFixtures.manifestResource("0.0.71")));
            Path search = MigrateAllFixture.write(dir, "librechat-0.0.71-search.json",
                    LibreChatFixtures.read(LibreChatFixtures.manifestResource("0.0.71-search")));
            MigrateAllFixture.provision(cli, current, List.of("acme", "globex"));
            String searchHash = SchemaManifest.load(search).hash();

            CountDownLatch rolloutAtWork = new CountDownLatch(1);
            Cli pipeline = Cli.withCatalog(url).decoratePools(real -> MigrateAllFixture.hooked(real, (db, cmd) -> {
                if (MigrateAllFixture.isCreateIndexes(cmd)) {
                    rolloutAtWork.countDown(); // selected and recorded: migrate-all is migrating its first org
                }
            }));
            List<CompletableFuture<Cli.Result>> rollout = new ArrayList<>();
            Cli signup = Cli.withCatalog(url).decoratePools(real -> MigrateAllFixture.hooked(real, (db, cmd) -> {
                if (db.equals("org_newco") && MigrateAllFixture.isCreateIndexes(cmd) && rollout.isEmpty()) {
                    // the pipeline's rollout starts while newco's provision is in flight
                    rollout.add(pipeline.start("migrate-all", "--schema", search.toString(), "-o", "json"));
                    try {
                        assertThat(rolloutAtWork.await(60, TimeUnit.SECONDS)).as("the rollout started migrating").isTrue();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
            Cli.Result provisioned = signup.run("provision", "newco", "--schema", current.toString(), "-o", "json");
            assertThat(provisioned.exitCode()).as(provisioned.toString()).isZero();
            Cli.Result r = rollout.get(0).get(120, TimeUnit.SECONDS);

            JsonNode summary = strictJson(r);
            Map<String, String> hashes = MigrateAllFixture.hashes(cli);
            boolean named = r.out().contains("newco") || r.err().contains("newco");
            if (r.exitCode() == 0) {
                assertThat(hashes).as("migrate-all exited 0 (%s selected, %s migrated) and %s: every org must be on 0.0.71-search\n%s",
                        summary.get("selected"), summary.get("migrated"), named ? "named newco" : "never named newco", r)
                        .containsEntry("acme", searchHash).containsEntry("globex", searchHash).containsEntry("newco", searchHash);
            } else {
                assertThat(named).as("a rollout that did not finish newco must say so: %s", r).isTrue();
            }
            CliFixture.assertClean(url, hashes.get("newco").equals(searchHash) ? search : current, List.of("newco"));
        }
    }
}
