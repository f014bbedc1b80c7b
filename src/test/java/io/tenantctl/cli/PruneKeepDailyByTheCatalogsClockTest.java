package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (g): prune orders backups by the catalog's clock ({@code recorded_at}) so that "a worker whose clock was behind
 * must not make the backup taken [then] look old" — but only to pick the newest. keep-daily (default: the tier's
 * retention days) still buckets and windows each backup by {@code started_at}, the worker's clock (Backups.decide). A
 * backup taken yesterday by a worker whose clock was 400 days behind (a VM resumed from a snapshot) is, by the catalog,
 * yesterday's only backup, well inside the 14 days retention; prune deletes it as "outside retention", and every write
 * of that day is in no backup any more.
 */
@Timeout(120)
class PruneKeepDailyByTheCatalogsClockTest {

    @TempDir
    Path dir;

    @Test
    void yesterdaysOnlyBackupIsKeptWhateverItsWorkersClockSaid() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme"); // free tier: keep the last 2, the newest of each of the last 14 days
            f.notes("acme", "notes", 10);
            String threeDaysAgo = f.backup("acme");
            f.db("acme").getCollection("notes").insertOne(new Document("_id", "written two days ago"));
            String yesterday = PruneClockSkewTest.backupByAWorkerAt(f, "acme", Instant.now().minus(Duration.ofDays(401)));
            f.db("acme").getCollection("notes").insertOne(new Document("_id", "written today"));
            String today1 = f.backup("acme");
            String today2 = f.backup("acme");
            // when the catalog recorded them (its own clock): 3 days ago, yesterday, today
            sql(f, "update backups set started_at = started_at - interval '3 days', recorded_at = recorded_at - interval '3 days', "
                    + "finished_at = finished_at - interval '3 days' where backup_id = '" + threeDaysAgo + "'");
            sql(f, "update backups set recorded_at = recorded_at - interval '1 day' where backup_id = '" + yesterday + "'");

            JsonNode pruned = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "-o", "json"));

            assertThat(Files.exists(f.storeDir.resolve("acme").resolve(today2).resolve("manifest.json"))).isTrue();
            assertThat(Files.exists(f.storeDir.resolve("acme").resolve(yesterday).resolve("manifest.json")))
                    .as("yesterday's only backup (by the catalog's clock), inside the 14 days kept, was deleted: %s", pruned.toPrettyString())
                    .isTrue();
            assertThat(today1).isNotEmpty();
        }
    }

    /**
     * Found probing clocks: prune's windows went by the catalog's {@code recorded_at}, but "now" was the pruning host's own
     * clock. A cron host two days ahead deleted a backup the tier's 14 days keep (the newest of its day, 13 days ago by
     * the catalog) as "older than the 14 days keep-daily keeps".
     */
    @Test
    void aPruneOnAHostWhoseClockIsAheadKeepsWhatTheCatalogsClockKeeps() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme"); // free tier: keep the last 2, the newest of each of the last 14 days
            f.notes("acme", "notes", 10);
            String thirteenDaysAgo = f.backup("acme");
            f.backup("acme");
            f.backup("acme");
            sql(f, "update backups set started_at = started_at - interval '13 days', recorded_at = recorded_at - interval '13 days', "
                    + "finished_at = finished_at - interval '13 days' where backup_id = '" + thirteenDaysAgo + "'");

            try (io.tenantctl.catalog.Catalog catalog = io.tenantctl.catalog.Catalog.open(f.catalogUrl);
                 io.tenantctl.pool.PoolClients pools = new io.tenantctl.pool.PoolClients(java.util.Map.of());
                 io.tenantctl.store.FileObjectStore store = new io.tenantctl.store.FileObjectStore(f.storeDir)) {
                io.tenantctl.ops.Backups.PruneResult r = new io.tenantctl.ops.Backups(new io.tenantctl.ops.OpsContext(catalog, pools,
                        io.tenantctl.pool.Retry.ferretDefault(), "cron"), store).prune(new io.tenantctl.ops.Backups.PruneRequest(
                        java.util.List.of("acme"), null, null, null, 24, false,
                        java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofDays(2)))); // the cron host's clock: 2 days ahead

                assertThat(Files.exists(f.storeDir.resolve("acme").resolve(thirteenDaysAgo).resolve("manifest.json")))
                        .as("the newest backup of 13 days ago (the catalog's clock), inside the 14 days kept: %s", r).isTrue();
                assertThat(r.deleted()).isZero();
            }
        }
    }

    private static void sql(BackupFixture f, String statement) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(f.catalogUrl); var st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }
}
