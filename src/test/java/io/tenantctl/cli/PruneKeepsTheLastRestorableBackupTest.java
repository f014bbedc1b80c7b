package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.ops.run.Worker;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.deadPid;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: prune's "the newest complete backup is always kept" means "the newest backup that has a
 * manifest.json", never whether the files the manifest lists are there. When the newest backup lost a collection file
 * (a bucket lifecycle rule, a clean-up by hand, or a backup whose files vanished before its manifest was written), prune
 * keeps that one as "newest complete (always kept)" and deletes the older, intact ones as "outside retention": the org
 * is left with no backup that can be restored.
 */
class PruneKeepsTheLastRestorableBackupTest {

    @TempDir
    Path dir;

    @Test
    void pruneNeverDeletesTheOnlyRestorableBackupWhenTheNewestHasLostAFile() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 1500);
            Map<String, List<RawBsonDocument>> seeded = BackupFixture.contents(f.db("acme"));
            String good = f.backup("acme");
            String newest = f.backup("acme");
            Files.delete(f.files("acme", newest).get("notes.ndjson.zst")); // the newest lost a file; its manifest is still there

            Cli.Result prune = f.cli.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0");
            assertThat(prune.exitCode()).as(prune.toString()).isZero();
            assertThat(f.storeDir.resolve("acme").resolve(good).resolve("manifest.json"))
                    .as("the only restorable backup was pruned while the damaged newest one was kept: %s", prune).exists();

            // restore's default is the newest backup: refused, naming it and how to choose another
            Cli.Result latest = f.cli.run("restore", "--org", "acme");
            assertThat(latest.exitCode()).as(latest.toString()).isNotZero();
            assertThat(latest.err()).contains(newest).contains("'tenantctl backups list --org acme'")
                    .contains("'tenantctl restore --org acme --backup " + good + "'");
            assertThat(f.org("acme").get("status").asText()).as("nothing was claimed").isEqualTo("active");

            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--backup", good);
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            f.assertHolds("acme", seeded);
        }
    }

    /**
     * Found by an audit: a backup whose worker lost the org to another operation (a kill -STOP past its lease; see
     * BackupFreezeWokenAfterATakeoverTest) is recorded failed, its manifest.json written all the same. The list called it
     * complete, and prune with --keep-last 0 kept it as the "newest restorable" one and deleted the recorded-complete one
     * before it; a restore without --backup took it, a copy labelled frozen though the org was writable during it.
     */
    @Test
    void aBackupRecordedFailedAfterItsWorkerLostTheOrgNeverStandsInForTheNewestRecordedComplete() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String good = f.backup("acme");
            String lost = f.backup("acme");
            sql(f.catalogUrl, "update backups set status = 'failed', sha256 = null, error = 'backup " + lost + " abandoned: it lost org "
                    + "acme to another operation (its lease expired while this worker was stopped, and another took the org over): "
                    + "not recorded complete' where backup_id = '" + lost + "'");

            Cli.Result prune = f.cli.run("backups", "prune", "--org", "acme", "--keep-last", "0", "--keep-daily", "0");
            assertThat(prune.exitCode()).as(prune.toString()).isZero();
            assertThat(f.storeDir.resolve("acme").resolve(good).resolve("manifest.json"))
                    .as("the newest recorded-complete backup was pruned, a failed one kept in its place: %s", prune).exists();
            assertThat(prune.out()).as(prune.toString()).contains("newest restorable backup (always kept)");

            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups");
            assertThat(listed.get(0).get("backup_id").asText()).isEqualTo(lost);
            assertThat(listed.get(0).get("status").asText()).as(listed.toString()).isEqualTo("failed");
            assertThat(listed.get(0).get("error").asText()).as(listed.toString()).contains("lost org acme")
                    .contains("recorded failed: restore takes it only named with --backup");
            assertThat(ok(f.cli, "restore", "--org", "acme", "--dry-run", "-o", "json").out()).as("restore takes the recorded one")
                    .contains(good).doesNotContain(lost);
        }
    }

    /**
     * Found by an audit: a backup the catalog still has running (its worker died before it heard the backup was complete:
     * no sha256) counted as the newest restorable one, so prune with --keep-last 0 deleted every older, checksummed,
     * recorded-complete backup, leaving only one whose completeness nothing confirmed. Restore may take it; prune keeps the
     * newest recorded-complete one beside it.
     */
    @Test
    void aBackupNotRecordedCompleteNeverStandsInForTheNewestRecordedComplete() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String good = f.backup("acme");
            String runId = strictJson(ok(f.cli, "backup", "--all", "--detach", "-o", "json")).get("run_id").asText();
            String unrecorded = f.backup("acme");
            sql(f.catalogUrl, "update backups set run_id = '" + runId + "', status = 'running', finished_at = null, docs = null, bytes = null, "
                    + "sha256 = null where backup_id = '" + unrecorded + "'");
            sql(f.catalogUrl, "update run_items set status = 'running', claimed_by = '" + Worker.current("test").host() + "/" + deadPid()
                    + "/dead', lease_until = now() - interval '1 minute', attempts = 1 where run_id = '" + runId + "' and org_id = 'acme'");

            Cli.Result prune = f.cli.run("backups", "prune", "--org", "acme", "--keep-last", "0", "--keep-daily", "0");
            assertThat(prune.exitCode()).as(prune.toString()).isZero();
            assertThat(f.storeDir.resolve("acme").resolve(good).resolve("manifest.json"))
                    .as("the newest recorded-complete backup was pruned for one not recorded complete: %s", prune).exists();
            assertThat(prune.out()).as(prune.toString()).contains("newest restorable backup the catalog records complete (always kept "
                    + "while a newer one, " + unrecorded + ", is not recorded complete");
            assertThat(f.storeDir.resolve("acme").resolve(unrecorded).resolve("manifest.json")).as("restore still takes it").exists();
        }
    }
}
