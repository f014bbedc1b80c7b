package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestCatalog;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper ran two verbs on one org at once: a {@code backup --org big1 -o json} that waited for a move of big1
 * backed up the moved database (its manifest's sourcePool pool-3) but its {@code pool_id} (and the table's POOL column)
 * said the pool from before the move, the one its run item was planned on. The report shows the pool actually backed up.
 */
class BackupOfAnOrgMovedBeforeItsTurnShowsThePoolBackedUpTest {

    @TempDir
    Path dir;

    @Test
    void theReportNamesThePoolTheBackupReadNotThePoolItWasPlannedOn() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme"); // on pool-0
            f.database("pool-1", "org_acme").getCollection("notes").insertOne(new Document("_id", 1).append("text", "moved"));
            AtomicBoolean moved = new AtomicBoolean(false);
            // the run planned acme on pool-0; by its turn (its pool's ping) a move has flipped it to pool-1
            Cli cli = f.newCli().decoratePools(real -> HookedPools.onPing(real, poolId -> {
                if (poolId.equals("pool-0") && moved.compareAndSet(false, true)) {
                    TestCatalog.execute(f.catalogUrl, "update orgs set pool_id = 'pool-1', version = version + 1 where org_id = 'acme'");
                }
            }));

            JsonNode r = strictJson(ok(cli, "backup", "--org", "acme", "-o", "json"));
            assertThat(moved).as("the move came between the plan and the backup").isTrue();
            JsonNode acme = r.get("orgs").get(0);
            String manifest = Files.readString(f.storeDir.resolve("acme").resolve(acme.get("backup_id").asText()).resolve("manifest.json"));
            assertThat(manifest).as("the moved database was backed up").contains("\"sourcePool\" : \"pool-1\"");
            assertThat(acme.get("pool_id").asText()).as("the pool backed up: %s", r).isEqualTo("pool-1");
            JsonNode run = strictJson(ok(f.cli, "runs", "show", r.get("run_id").asText(), "-o", "json"));
            assertThat(run.toString()).as("runs show says so too").contains("\"pool_id\":\"pool-1\"").doesNotContain("pool-0");
        }
    }

    /**
     * A backup run read the catalog's pools once, as it started: an org moved before its turn onto a pool added since (a
     * rebalance onto a new pool during a night's run) failed, 'backup B abandoned: Cannot invoke "…Pool.poolId()" because
     * "pool" is null', exit 1. Each org's pool is read as its turn comes: the org is backed up from where it is now.
     */
    @Test
    void anOrgMovedBeforeItsTurnOntoAPoolAddedSinceTheRunStartedIsBackedUpFromThere() throws Exception {
        try (BackupFixture f = new BackupFixture(3, dir)) {
            f.provision("acme"); // on pool-0
            TestCatalog.execute(f.catalogUrl, "delete from pools where pool_id = 'pool-2'"); // not there yet as the run starts
            f.database("pool-2", "org_acme").getCollection("notes").insertMany(java.util.List.of(
                    new Document("_id", 1).append("text", "moved"), new Document("_id", 2).append("text", "here")));
            java.util.Map<String, java.util.List<org.bson.RawBsonDocument>> moved = BackupFixture.contents(f.database("pool-2", "org_acme"));
            AtomicBoolean added = new AtomicBoolean(false);
            Cli cli = f.newCli().decoratePools(real -> HookedPools.onPing(real, poolId -> {
                if (poolId.equals("pool-0") && added.compareAndSet(false, true)) {
                    CliFixture.addPool(f.cli, "pool-2", f.pools.uri(2), 100, 3);
                    TestCatalog.execute(f.catalogUrl, "update orgs set pool_id = 'pool-2', version = version + 1 where org_id = 'acme'");
                }
            }));

            Cli.Result r = cli.run("backup", "--org", "acme", "-o", "json");
            assertThat(added).as("the pool was added and the org moved between the plan and the backup").isTrue();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode acme = strictJson(r).get("orgs").get(0);
            assertThat(acme.get("pool_id").asText()).as("the pool backed up: %s", r).isEqualTo("pool-2");
            assertThat(acme.get("docs").asLong()).isEqualTo(2);
            // what it holds is the moved database, as a restore of it shows
            ok(f.cli, "restore", "--org", "acme", "--backup", acme.get("backup_id").asText(), "--to-org", "copy", "--target-pool", "pool-1");
            assertThat(BackupFixture.contents(f.db("copy"))).as("the restored copy, byte for byte").isEqualTo(moved);
        }
    }
}
