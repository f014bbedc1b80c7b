package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.Backup;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a backup's time (its id, {@code backups.started_at}) is the backing-up worker's own clock, and every
 * "newest" decision trusts it: {@code backups prune} ("never deletes an org's newest complete backup"), {@code restore}
 * without --backup, {@code backup --due}, verify's freshness. A worker whose clock is behind (a VM resumed from a
 * snapshot, a node whose NTP failed) writes the org's latest backup with a date in the past; the next plain
 * {@code backups prune}, with the tier's own retention, deletes it as "outside retention" - the only backup holding the
 * org's newest documents - while keeping two older ones.
 */
class PruneClockSkewTest {

    @TempDir
    Path dir;

    @Test
    void pruneNeverDeletesTheBackupTakenLastEvenWhenItsWorkersClockWasBehind() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme"); // free tier: keep the last 2, the newest of each of the last 14 days
            f.notes("acme", "a_notes", 10);
            f.backup("acme");
            f.backup("acme");
            f.db("acme").getCollection("a_notes").insertOne(new Document("_id", "newest order"));

            String last = backupByAWorkerAt(f, "acme", Instant.now().minus(Duration.ofDays(400))); // its clock is 400 days behind

            JsonNode pruned = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "-o", "json"));

            boolean lastKept = Files.exists(f.storeDir.resolve("acme").resolve(last).resolve("manifest.json"));
            assertThat(lastKept).as("the backup taken last (the only one with 'newest order') survives prune: %s", pruned).isTrue();
            JsonNode restore = strictJson(ok(f.cli, "restore", "--org", "acme", "--dry-run", "-o", "json"));
            assertThat(restore.toString()).as("restore without --backup takes the one taken last").contains(last);
        }
    }

    /** One backup of {@code orgId} (gzip) taken by a worker whose clock says {@code at}; its backup id. */
    static String backupByAWorkerAt(BackupFixture f, String orgId, Instant at) throws Exception {
        try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
             FileObjectStore store = new FileObjectStore(f.storeDir)) {
            Backup op = new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store);
            Backup.Result r = op.run(new Backup.Request(new Backup.Selector(List.of(orgId), false, List.of(), false),
                    new Backup.Copy(Compression.GZIP, false, null), false,
                    new RunEngine.Drive(RunEngine.Settings.DEFAULT, RunControl.START, new CancelToken(), Progress.NONE),
                    Clock.fixed(at, ZoneOffset.UTC)));
            assertThat(r.report().count("backed_up")).isEqualTo(1);
            return CliFixture.lines(r.lines()).get(0).detail().path("backup_id").asText();
        }
    }
}
