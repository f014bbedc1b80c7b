package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DR drill, the catalog lost: a fresh catalog, the pools added again, every database adopted as the README says. Adopt
 * made every org active on tier free: a suspended org writable again, an org being deleted active, every tier lost. The
 * store kept each org's newest backup, whose manifest now says its tier and status: adopt takes them, and an org that was
 * being deleted comes back read_only (never deleting: purge would drop a database whose delete was undone since), with
 * the delete as its next step.
 */
@Timeout(180)
class AdoptAfterTheCatalogIsLostTakesWhatTheBackupsSayTest {

    @TempDir
    Path dir;

    @Test
    void eachAdoptedOrgGetsTheTierAndSuspensionItsNewestBackupRecords() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provisionTier("growth", "pool-0", "acme", "beta", "gamma");
            f.notes("acme", "notes", 3);
            ok(f.cli, "orgs", "suspend", "beta");
            ok(f.cli, "backup", "--all");
            // its final backup taken, its database kept until purge
            String finalOfGamma = strictJson(ok(f.cli, "orgs", "delete", "gamma", "-o", "json")).path("backup_id").asText();
            Map<String, Map<String, java.util.List<org.bson.RawBsonDocument>>> before = Map.of(
                    "acme", BackupFixture.contents(f.db("acme")), "beta", BackupFixture.contents(f.db("beta")));

            // the catalog is lost: a new one, the same pool and store
            Cli fresh = new Cli(Map.of("TENANTCTL_CATALOG_URL", TestCatalog.newDatabase(), "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString()));
            ok(fresh, "init");
            CliFixture.addPool(fresh, "pool-0", f.pools.uri(0), 100, 1);
            Path file = dir.resolve("adopt-pool-0.txt");
            Files.writeString(file, ok(fresh, "orgs", "adopt", "--discover", "--pool", "pool-0").out());

            JsonNode plan = strictJson(ok(fresh, "orgs", "adopt", "--file", file.toString(), "--pool", "pool-0", "--dry-run", "-o", "json"));
            assertThat(plan.toString()).contains("tier growth, read_only (it was being deleted), as its newest backup, " + finalOfGamma + ", says");
            Cli.Result adopted = ok(fresh, "orgs", "adopt", "--file", file.toString(), "--pool", "pool-0");
            assertThat(adopted.err()).as("%s", adopted).contains("'tenantctl orgs delete gamma' deletes it again");
            // said, not a command to run: a script running the next steps must not delete an org whose delete was undone
            assertThat(plan.toString()).doesNotContain("\"next_step\":\"tenantctl orgs delete");

            assertThat(state(fresh, "acme")).isEqualTo("growth active");
            assertThat(state(fresh, "beta")).isEqualTo("growth read_only");
            assertThat(state(fresh, "gamma")).isEqualTo("growth read_only");
            // nothing in the databases changed
            assertThat(BackupFixture.contents(f.db("acme"))).isEqualTo(before.get("acme"));
            assertThat(BackupFixture.contents(f.db("beta"))).isEqualTo(before.get("beta"));
        }
    }

    @Test
    void aTierGivenIsSaidToBeTheOperatorsNotTheBackups() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provisionTier("growth", "pool-0", "acme");
            f.notes("acme", "notes", 3);
            ok(f.cli, "orgs", "suspend", "acme");
            String backup = f.backup("acme");

            Cli fresh = new Cli(Map.of("TENANTCTL_CATALOG_URL", TestCatalog.newDatabase(), "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString()));
            ok(fresh, "init");
            CliFixture.addPool(fresh, "pool-0", f.pools.uri(0), 100, 1);
            JsonNode r = strictJson(ok(fresh, "orgs", "adopt", "acme", "--pool", "pool-0", "--tier", "enterprise", "-o", "json"));
            String said = r.path("orgs").get(0).path("from_backup").asText();
            assertThat(state(fresh, "acme")).isEqualTo("enterprise read_only");
            // the backup said growth: enterprise is the operator's --tier, and the note must not put it in the backup's mouth
            assertThat(said).as(said).contains("--tier").contains("growth").contains(backup).doesNotContain("tier enterprise, read_only, as its newest backup");
        }
    }

    /**
     * The store forgotten, or one that is not where the backups are (a prefix mistyped at 3 a.m.): a suspended org came
     * back writable and on tier free with not a word, as if its backups had said so. Each new org now says that nothing
     * told its tier and status, and where it looked.
     */
    @Test
    void anOrgNoBackupSpeaksForSaysSoAndWhere() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provisionTier("growth", "pool-0", "acme", "beta");
            ok(f.cli, "orgs", "suspend", "acme");
            ok(f.cli, "backup", "--all");

            String catalog = TestCatalog.newDatabase();
            Cli noStore = new Cli(Map.of("TENANTCTL_CATALOG_URL", catalog, "USER", "test"));
            ok(noStore, "init");
            CliFixture.addPool(noStore, "pool-0", f.pools.uri(0), 100, 1);
            Cli.Result none = ok(noStore, "orgs", "adopt", "acme", "--pool", "pool-0", "--dry-run");
            assertThat(none.err()).as("%s", none).contains("acme: tier free, active").contains("no store");

            Path elsewhere = Files.createDirectories(dir.resolve("not-the-store"));
            JsonNode r = strictJson(ok(noStore, "orgs", "adopt", "beta", "--pool", "pool-0", "--store", elsewhere.toUri().toString(), "-o", "json"));
            assertThat(r.path("orgs").get(0).path("from_backup").asText()).as("%s", r).contains("tier free, active")
                    .contains("no backup").contains("not-the-store");
        }
    }

    /**
     * The org's newest backup (taken once it was suspended) does not read back: adopt took the one before it, and said
     * "as its newest backup, OLDER, says", hiding that a newer one may say otherwise (here: suspended).
     */
    @Test
    void aNewerBackupThatDoesNotReadBackIsNamedNotPassedOverInSilence() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provisionTier("growth", "pool-0", "acme");
            f.notes("acme", "notes", 3);
            String older = f.backup("acme");
            ok(f.cli, "orgs", "suspend", "acme");
            String newer = f.backup("acme");
            Files.writeString(f.storeDir.resolve("acme").resolve(newer).resolve("manifest.json"), "{\"broken");

            Cli fresh = new Cli(Map.of("TENANTCTL_CATALOG_URL", TestCatalog.newDatabase(), "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString()));
            ok(fresh, "init");
            CliFixture.addPool(fresh, "pool-0", f.pools.uri(0), 100, 1);
            JsonNode r = strictJson(ok(fresh, "orgs", "adopt", "acme", "--pool", "pool-0", "--dry-run", "-o", "json"));
            String said = r.path("orgs").get(0).path("from_backup").asText();
            assertThat(said).as(said).contains(older).contains(newer).doesNotContain("as its newest backup, " + older);
        }
    }

    private static String state(Cli cli, String orgId) {
        JsonNode o = strictJson(ok(cli, "orgs", "show", orgId, "-o", "json"));
        return o.path("tier").asText() + " " + o.path("status").asText();
    }
}
