package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.ops.Backups;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.ForwardingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code verify --deep} finds a deleting org's final backup damaged and records it, and the
 * next {@code orgs purge} dropped the org's database all the same — the only whole copy of the org, lost for good (a
 * restore of the damaged backup is refused). Purge keeps such an org's database, says why and what to do, and drops it
 * once a backup holds the org again.
 */
class PurgeOfAnOrgWhoseFinalBackupIsDamagedTest {

    @TempDir
    Path dir;

    @Test
    void theDatabaseOfAnOrgWhoseFinalBackupIsDamagedIsKeptUntilABackupHoldsItAgain() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).get("backup_id").asText();
            f.flipABit("acme", finalBackup, "notes"); // the bucket lost a bit
            assertThat(f.cli.run("verify", "--deep").exitCode()).isEqualTo(4); // found, and recorded as damaged

            keptUntilABackupHoldsItAgain(f, "its newest backup " + finalBackup + " was found damaged");
        }
    }

    /**
     * Its files gone from the store since (a bucket lifecycle rule, a hand clean-up) and nothing having read it: purge took
     * such a final backup as good and dropped the only copy. It looks for the files itself now (one listing, as a plain
     * verify does) and records what it finds.
     */
    @Test
    void aFinalBackupWhoseFileIsGoneFromTheStoreKeepsTheDatabaseToo() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).get("backup_id").asText();
            Files.delete(f.files("acme", finalBackup).get("notes.ndjson.zst"));

            keptUntilABackupHoldsItAgain(f, "its newest backup " + finalBackup, "notes.ndjson.zst");
        }
    }

    /**
     * Purge's look at a final backup whose files do not add up (one cut short) listed the org's backups, then the backup's
     * folder again to name the file: the first listing holds every file at its size. One LIST; the damage is named and
     * recorded as before.
     */
    @Test
    void theLookAtAFinalBackupCutShortListsTheOrgsBackupsOnce() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).get("backup_id").asText();
            Path notes = f.files("acme", finalBackup).get("notes.ndjson.zst");
            byte[] bytes = Files.readAllBytes(notes);
            Files.write(notes, Arrays.copyOf(bytes, bytes.length - 1));

            List<String> listed = new ArrayList<>();
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = ForwardingStore.recordingLists(new FileObjectStore(f.storeDir), listed)) {
                OpsContext ctx = new OpsContext(catalog, pools, Retry.ferretDefault(), "test");
                Backups.Look look = new Backups(ctx, store).look("acme", finalBackup, true); // what purge asks before a drop
                assertThat(look.damage()).contains("notes.ndjson.zst holds " + (bytes.length - 1) + " bytes, not the " + bytes.length);
                assertThat(listed).as("the store's LIST calls of purge's look: acme's backups, its backup's folder not again")
                        .containsExactly("acme/");
                assertThat(catalog.backups().find(finalBackup).flatMap(b -> BackupRepository.damage(b.error())))
                        .as("recorded damaged, as verify records it").hasValueSatisfying(why -> assertThat(why).contains("notes.ndjson.zst"));
            }
        }
    }

    /** A dry and a real purge keep acme (exit 1, the detail naming the backup and the backup to take), then it is dropped after one. */
    private static void keptUntilABackupHoldsItAgain(BackupFixture f, String... detail) throws Exception {
        for (String[] purge : new String[][]{{"orgs", "purge", "--older-than", "0", "--dry-run", "-o", "json"},
                {"orgs", "purge", "--older-than", "0", "-o", "json"}}) {
            Cli.Result r = f.cli.run(purge);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            JsonNode item = strictJson(r).get("orgs").get(0);
            assertThat(item.get("action").asText()).as(r.toString()).isEqualTo("kept");
            assertThat(item.get("detail").asText()).contains(detail).contains("'tenantctl backup --org acme'");
        }
        assertThat(f.databaseNames("pool-0")).as("the only whole copy of acme").contains("org_acme");
        assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");

        ok(f.cli, "backup", "--org", "acme"); // what the detail says, then purge
        ok(f.cli, "orgs", "purge", "--older-than", "0");
        assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
        ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-back");
        assertThat(f.db("acme-back").getCollection("notes").countDocuments()).isEqualTo(20);
    }
}
