package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found it: two catalogs (production and staging) on one store URL, each with an org kappa, so both
 * catalogs' backups of kappa sit in one folder. Production's {@code restore --org kappa} took staging's backup, the
 * newest in the store "not recorded in the catalog", and pointed production's kappa at staging's documents (its own
 * database only retained, for {@code rebalance gc} to drop); {@code backups prune --keep-last 0 --keep-daily 0} deleted
 * production's only backup, kept staging's as production's "newest restorable backup", and deleted the other
 * catalog's backups too. Each catalog now has an id, written in every backup's manifest: another catalog's backup is
 * not this one's newest, restore takes it only when named with --backup, and prune leaves it alone.
 */
@Timeout(300)
class TwoCatalogsSharingAStoreTest {

    @TempDir
    Path dir;

    /** Production is {@link BackupFixture}'s catalog (kappa on pool-0); staging a catalog of its own, init'ed, on pool-1. */
    private record Fleet(BackupFixture prod, Cli stg, String prodBackup, String stgBackup,
                         Map<String, List<RawBsonDocument>> prodData, Map<String, List<RawBsonDocument>> stgData) {
    }

    private Fleet fleet(BackupFixture f) throws Exception {
        Cli stg = catalogOnTheSameStore(f);
        CliFixture.addPool(stg, "stg-1", f.pools.uri(1), 100, 1);
        f.provision("kappa");
        ok(stg, "provision", "--schema", f.schema.toString(), "kappa");
        f.notes("kappa", "notes", 50);
        MongoDatabase stgDb = f.database("pool-1", "org_kappa");
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            docs.add(new Document("_id", i).append("text", "staging " + i));
        }
        stgDb.getCollection("notes").insertMany(docs);
        String prodBackup = f.backup("kappa");
        // production's backup an hour older (the ids' clock has one-second steps): staging's is the newest in the store
        CliFixture.sql(f.catalogUrl, "update backups set started_at = started_at - interval '1 hour', recorded_at = recorded_at "
                + "- interval '1 hour', finished_at = finished_at - interval '1 hour' where backup_id = '" + prodBackup + "'");
        String stgBackup = strictJson(ok(stg, "backup", "--org", "kappa", "-o", "json")).get("orgs").get(0).get("backup_id").asText();
        return new Fleet(f, stg, prodBackup, stgBackup, BackupFixture.contents(f.db("kappa")), BackupFixture.contents(stgDb));
    }

    /** A catalog made by its own {@code init}, on {@code f}'s store. */
    private static Cli catalogOnTheSameStore(BackupFixture f) {
        Map<String, String> env = new HashMap<>();
        env.put("TENANTCTL_CATALOG_URL", TestCatalog.newDatabase());
        env.put("TENANTCTL_STORE", f.storeDir.toUri().toString());
        env.put("USER", "test");
        Cli cli = new Cli(env);
        ok(cli, "init");
        return cli;
    }

    @Test
    void restoreTakesThisCatalogsOwnBackupNotTheOtherCatalogs() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            Fleet fl = fleet(f);

            JsonNode plan = strictJson(ok(f.cli, "restore", "--org", "kappa", "--dry-run", "-o", "json"));
            assertThat(plan.get("backup_id").asText()).as("production's plan (staging's backup is %s): %s", fl.stgBackup(), plan)
                    .isEqualTo(fl.prodBackup());
            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "--org", "kappa", "-o", "json"));
            JsonNode other = null;
            for (JsonNode b : listed.get("backups")) {
                if (b.get("backup_id").asText().equals(fl.stgBackup())) {
                    other = b;
                }
            }
            assertThat(other).as(listed.toPrettyString()).isNotNull();
            assertThat(other.get("error").asText()).as("production's list of staging's backup").contains("another catalog");

            ok(f.cli, "restore", "--org", "kappa");
            f.assertHolds("kappa", fl.prodData());
            ok(fl.stg(), "restore", "--org", "kappa", "--in-place", "--drop-existing");
            assertThat(BackupFixture.contents(f.database("pool-1", "org_kappa"))).as("staging's kappa").isEqualTo(fl.stgData());
            ok(f.cli, "restore", "--org", "kappa", "--in-place", "--drop-existing");
            f.assertHolds("kappa", fl.prodData());
        }
    }

    @Test
    void pruneKeepsEachCatalogsNewestAndNeverTouchesTheOthers() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            Fleet fl = fleet(f);

            JsonNode prodPrune = strictJson(ok(f.cli, "backups", "prune", "--keep-last", "0", "--keep-daily", "0", "-o", "json"));
            JsonNode stgPrune = strictJson(ok(fl.stg(), "backups", "prune", "--keep-last", "0", "--keep-daily", "0", "-o", "json"));

            for (String backup : List.of(fl.prodBackup(), fl.stgBackup())) {
                assertThat(Files.exists(f.storeDir.resolve("kappa").resolve(backup).resolve("manifest.json")))
                        .as("backup %s after both prunes: production's %s, staging's %s", backup, prodPrune, stgPrune).isTrue();
            }
            assertThat(reasonFor(prodPrune, fl.stgBackup())).as("production's prune of staging's backup").startsWith("keep: ")
                    .contains("another catalog");
            assertThat(reasonFor(prodPrune, fl.prodBackup())).isEqualTo("keep: newest restorable backup (always kept)");
            assertThat(reasonFor(stgPrune, fl.stgBackup())).isEqualTo("keep: newest restorable backup (always kept)");
            assertThat(reasonFor(stgPrune, fl.prodBackup())).as("staging's prune of production's backup").startsWith("keep: ")
                    .contains("another catalog");
            for (Cli cli : List.of(f.cli, fl.stg())) {
                JsonNode listed = strictJson(ok(cli, "backups", "list", "--org", "kappa", "-o", "json"));
                assertThat(listed.get("backups").findValuesAsText("status")).as(listed.toPrettyString()).containsOnly("complete");
            }
            ok(f.cli, "restore", "--org", "kappa");
            f.assertHolds("kappa", fl.prodData());
        }
    }

    @Test
    void aCatalogMadeAnewAfterTheOldWasLostRestoresTheBackupItNames() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            Fleet fl = fleet(f);
            f.db("kappa").drop();
            // production's catalog is lost: a new one, init'ed, its pool registered again
            Cli fresh = catalogOnTheSameStore(f);
            CliFixture.addPool(fresh, "pool-0", f.pools.uri(0), 100, 1);

            Cli.Result refused = fresh.run("restore", "--org", "kappa");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
            String command = "tenantctl restore --org kappa --backup " + fl.prodBackup() + " --to-org kappa";
            assertThat(refused.err()).as("names each catalog's newest, with its pool").contains(fl.prodBackup() + " (from pool pool-0")
                    .contains(fl.stgBackup() + " (from pool stg-1").contains(command);

            Cli.Result taken = fresh.run(command.substring("tenantctl ".length()).split(" "));
            assertThat(taken.exitCode()).as(taken.toString()).isZero();
            assertThat(taken.err()).as("said on stderr").contains("another catalog");
            JsonNode org = strictJson(ok(fresh, "orgs", "show", "kappa", "-o", "json"));
            assertThat(BackupFixture.contents(f.database(org.get("pool_id").asText(), org.get("database_name").asText())))
                    .as("kappa's documents").isEqualTo(fl.prodData());
        }
    }

    @Test
    void aCatalogBackFromAnOlderSnapshotStillRestoresItsOwnNewerBackupOnlyTheStoreHas() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            Fleet fl = fleet(f);
            f.db("kappa").getCollection("notes").insertOne(new Document("_id", "written after the first backup"));
            Map<String, List<RawBsonDocument>> newer = BackupFixture.contents(f.db("kappa"));
            String last = f.backup("kappa");
            CliFixture.sql(f.catalogUrl, "delete from backups where backup_id = '" + last + "'"); // the snapshot predates it
            f.db("kappa").getCollection("notes").deleteMany(new Document());

            JsonNode plan = strictJson(ok(f.cli, "restore", "--org", "kappa", "--dry-run", "-o", "json"));
            assertThat(plan.get("backup_id").asText()).as("staging's is %s, production's older one %s", fl.stgBackup(), fl.prodBackup())
                    .isEqualTo(last);
            ok(f.cli, "restore", "--org", "kappa");
            f.assertHolds("kappa", newer);
        }
    }

    private static String reasonFor(JsonNode prune, String backupId) {
        for (JsonNode d : prune.get("decisions")) {
            if (d.get("backup_id").asText().equals(backupId)) {
                return d.get("action").asText() + ": " + d.get("reason").asText();
            }
        }
        throw new AssertionError("no decision for " + backupId + " in " + prune.toPrettyString());
    }
}
