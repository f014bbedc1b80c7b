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
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of 40ff2d4 (catalog v9, backups.recorded_at): "newest is when the catalog recorded a backup, not the worker's
 * clock" was applied to prune and restore only. {@code backup --due} (BackupPolicyRepository.due: b.started_at) and
 * verify's freshness (FindingRepository.newestCompleteBackups: ordered by started_at, aged by finished_at) still trust
 * the backing-up worker's clock. One backup by a worker whose clock is a year ahead makes the org look freshly backed up
 * for a year: --due never selects it again and verify never says backup_stale - its backups silently stop.
 */
class DueClockSkewTest {

    @TempDir
    Path dir;

    @Test
    void aBackupByAWorkerWhoseClockWasAheadDoesNotStopTheOrgFromBeingDueNorHideItsStaleness() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme"); // free tier: due every 168 h
            f.notes("acme", "a_notes", 10);
            PruneClockSkewTest.backupByAWorkerAt(f, "acme", Instant.now().plus(Duration.ofDays(400))); // its clock is 400 days ahead
            // ten days pass (by the catalog's clock, that backup was recorded ten days ago); no backup since
            try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
                s.executeUpdate("update backups set recorded_at = recorded_at - interval '10 days', started_at = started_at - interval '10 days', "
                        + "finished_at = finished_at - interval '10 days' where org_id = 'acme'");
            }

            List<String> due = strictJson(f.cli.run("backup", "--due", "--dry-run", "-o", "json")).get("orgs").findValuesAsText("org_id");
            JsonNode verify = strictJson(f.cli.run("verify", "-o", "json"));
            List<String> stale = new ArrayList<>();
            verify.get("findings").forEach(x -> {
                if (x.get("kind").asText().equals("backup_stale")) {
                    stale.add(x.get("org_id").asText());
                }
            });

            org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
            soft.assertThat(due).as("acme's last backup was recorded 10 days ago (its tier wants one every 7): it is due").contains("acme");
            soft.assertThat(stale).as("verify says acme's newest backup is 10 days old: %s", verify).contains("acme");
            soft.assertAll();
        }
    }

    /**
     * Found probing clocks: verify judged a backup's age by its own host's clock against the times the catalog recorded.
     * On a host whose clock is two days behind the catalog's, an org whose only backup the catalog recorded two days ago
     * passed {@code --backups-max-age 1d} as fresh: the alarm for backups that stopped stayed silent.
     */
    @Test
    void aVerifyOnAHostWhoseClockIsBehindTheCatalogsStillSaysAStaleBackupIsStale() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 10);
            f.backup("acme"); // by a worker whose clock is as behind as this host's
            io.tenantctl.testing.TestCatalog.skewClock(f.catalogUrl, Duration.ofDays(2)); // the catalog's clock: 2 days ahead

            JsonNode verify = strictJson(f.cli.run("verify", "--backups-max-age", "1d", "-o", "json"));
            List<String> stale = new ArrayList<>();
            verify.get("findings").forEach(x -> {
                if (x.get("kind").asText().equals("backup_stale")) {
                    stale.add(x.get("org_id").asText());
                }
            });
            assertThat(stale).as("acme's only backup is 2 days old by the catalog's clock: %s", verify).containsExactly("acme");
        }
    }
}
