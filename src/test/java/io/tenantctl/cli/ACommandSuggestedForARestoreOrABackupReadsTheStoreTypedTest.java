package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.followNextStep;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The restore a message names must read the store the work was done with when that store was typed on the line
 * (--store), not TENANTCTL_STORE: here another store, with no backup of the org. {@code runs show} (and {@code runs list}) of a restore run
 * that a Ctrl-C stopped named 'tenantctl restore --org acme --backup ID' (a restore's run recorded no store), and a backup of an
 * org whose database is gone named 'tenantctl restore --org acme': pasted, each read the other store and failed.
 */
@Timeout(180)
class ACommandSuggestedForARestoreOrABackupReadsTheStoreTypedTest {

    @TempDir
    Path dir;

    private BackupFixture fleetWithAnotherDefaultStore() {
        return new BackupFixture(1, dir, Map.of("TENANTCTL_STORE", dir.resolve("default-store").toUri().toString()));
    }

    /** Org acme's data as backed up to {@code store} (typed, not the default), and the backup's id. */
    private record BackedUp(Map<String, List<RawBsonDocument>> contents, String backupId) {
    }

    private static BackedUp acmeBackedUpTo(BackupFixture f, String store) {
        f.provision("acme");
        f.notes("acme", "notes", 5);
        Map<String, List<RawBsonDocument>> contents = BackupFixture.contents(f.db("acme"));
        return new BackedUp(contents, f.backup("acme", "--store", store));
    }

    @Test
    void runsShowOfAnInterruptedRestoreNamesARestoreOfTheStoreItRead() {
        try (BackupFixture f = fleetWithAnotherDefaultStore()) {
            String store = f.storeDir.toUri().toString();
            BackedUp acme = acmeBackedUpTo(f, store);
            Map<String, List<RawBsonDocument>> backedUp = acme.contents();
            String backupId = acme.backupId();
            f.notes("acme", "later", 3); // written after the backup: the restore's data is told from the org's own

            CancelToken cancel = new CancelToken(); // Ctrl-C as the restore creates its first collection
            Cli pressed = f.newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (HookedPools.is(cmd, "create") && db.startsWith("org_acme__r")) {
                    cancel.cancel("SIGINT");
                }
            }));
            Cli.Result interrupted = pressed.run(cancel, "restore", "--org", "acme", "--backup", backupId, "--store", store);
            assertThat(interrupted.exitCode()).as(interrupted.toString()).isEqualTo(130);

            String runId = strictJson(ok(f.cli, "runs", "list", "--verb", "restore", "-o", "json")).get("runs").get(0).get("run_id").asText();
            JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(run.get("status").asText()).isEqualTo("interrupted");
            String next = run.get("next_step").asText();
            assertThat(ok(f.cli, "runs", "list").out()).as("the text says the same step").contains(runId + ": " + next);
            followNextStep(f.cli, next);
            f.assertHolds("acme", backedUp);
        }
    }

    @Test
    void aBackupOfAnOrgWhoseDatabaseIsGoneNamesARestoreOfTheStoreTyped() {
        try (BackupFixture f = fleetWithAnotherDefaultStore()) {
            String store = f.storeDir.toUri().toString();
            Map<String, List<RawBsonDocument>> backedUp = acmeBackedUpTo(f, store).contents();
            f.db("acme").drop(); // by hand

            Cli.Result refused = f.cli.run("backup", "--org", "acme", "--store", store, "-o", "json");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            JsonNode failed = strictJson(refused).get("failed").get(0);
            String error = failed.get("error").asText();
            assertThat(error).contains("has no collections").contains("tenantctl restore --org acme");
            followNextStep(f.cli, error);
            f.assertHolds("acme", backedUp);
            // its next step is that restore too, not the backup again, which fails alike for as long as the database is gone
            f.db("acme").drop();
            followNextStep(f.cli, failed.get("next_step").asText());
            f.assertHolds("acme", backedUp);
        }
    }

    /**
     * Found at 3 a.m.: with --store typed, what a restore advised read TENANTCTL_STORE instead. An in-place dry run's loss
     * warning said "back the org up first ('tenantctl backup --org acme')": pasted, it backed acme up into the other store,
     * and the restore from the typed store still lost the writes; a mistyped --backup ID said "see: tenantctl backups list
     * --org acme", which listed the other store, without the backup the operator meant. Each carries the --store typed now.
     */
    @Test
    void whatARestoreAdvisesFirstReadsTheStoreTyped() {
        try (BackupFixture f = fleetWithAnotherDefaultStore()) {
            String store = f.storeDir.toUri().toString();
            String backupId = acmeBackedUpTo(f, store).backupId();
            f.notes("acme", "later", 3); // written since the backup: an in-place restore of it would lose them
            String[] dryRun = {"restore", "--org", "acme", "--in-place", "--drop-existing", "--dry-run", "--store", store, "-o", "json"};
            String warning = strictJson(ok(f.cli, dryRun)).get("loss_warning").asText();
            assertThat(warning).contains("3 more documents than backup " + backupId).contains("'tenantctl backup --org acme --store ");
            followNextStep(f.cli, warning); // the backup it names, as pasted
            assertThat(strictJson(ok(f.cli, dryRun)).get("loss_warning").isNull()).as("the newest backup in the typed store holds them")
                    .isTrue();

            String mistyped = backupId.substring(0, backupId.length() - 2) + (backupId.endsWith("zz") ? "yy" : "zz");
            Cli.Result refused = f.cli.run("restore", "--org", "acme", "--backup", mistyped, "--store", store);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
            assertThat(refused.err()).as(refused.toString()).contains("see: tenantctl backups list --org acme --store ");
            String see = refused.err().substring(refused.err().indexOf("see: tenantctl ") + "see: tenantctl ".length()).strip();
            JsonNode listed = strictJson(ok(f.cli, (see + " -o json").split("\\s+"))).get("backups");
            assertThat(listed.findValuesAsText("backup_id")).as("the store typed, listed").contains(backupId);
        }
    }

    /**
     * Found at 3 a.m.: 'backups show ID --store URL' of acme's newest backup, gone from that store, said "take a fresh
     * backup (tenantctl backup --org acme), then forget it: tenantctl backups forget ID" ('backups forget' refusing it said
     * the same): pasted, the backup went to TENANTCTL_STORE's store and the forget, reading it too, refused the backup
     * ("written to URL, not to ...") — the missing one stayed acme's newest in the store typed. Both carry the --store now.
     */
    @Test
    void whatBackupsShowAndForgetAdviseReadsTheStoreTyped() throws Exception {
        try (BackupFixture f = fleetWithAnotherDefaultStore()) {
            String store = f.storeDir.toUri().toString();
            String gone = acmeBackedUpTo(f, store).backupId();
            f.removeFromStore("acme", gone);

            Cli.Result refused = f.cli.run("backups", "forget", gone, "--store", store);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
            assertThat(refused.err()).as(refused.toString()).contains("is the org's newest").contains("(tenantctl backup --org acme --store ");
            Cli.Result shown = f.cli.run("backups", "show", gone, "--store", store, "-o", "json");
            assertThat(shown.exitCode()).as(shown.toString()).isEqualTo(4);
            JsonNode next = strictJson(shown);
            followNextStep(f.cli, next.get("next_step").asText() + "; " + next.get("next_note").asText()); // the backup, then the forget
            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "--store", store, "-o", "json")).get("backups");
            assertThat(listed.findValuesAsText("status")).as("a fresh backup in the store typed, the gone one forgotten: %s", listed)
                    .containsExactly("complete");
        }
    }

    /** As a backup's: the final backup of an org's delete (and its dry run) names the restore with the --store typed. */
    @Test
    void aDeleteOfAnOrgWhoseDatabaseIsGoneNamesARestoreOfTheStoreTyped() {
        try (BackupFixture f = fleetWithAnotherDefaultStore()) {
            String store = f.storeDir.toUri().toString();
            Map<String, List<RawBsonDocument>> backedUp = acmeBackedUpTo(f, store).contents();
            for (String[] delete : List.of(new String[]{"orgs", "delete", "acme", "--store", store, "--dry-run"},
                    new String[]{"orgs", "delete", "acme", "--store", store})) {
                f.db("acme").drop(); // by hand
                Cli.Result refused = f.cli.run(delete);
                assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
                assertThat(refused.err()).as(refused.toString()).contains("has no collections").contains("tenantctl restore --org acme");
                followNextStep(f.cli, refused.err());
                f.assertHolds("acme", backedUp);
            }
        }
    }
}
