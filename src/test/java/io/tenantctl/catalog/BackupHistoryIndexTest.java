package io.tenantctl.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found probing a catalog of 10,000 orgs after a year of nightly backups (3 million backups rows, 90% pruned): the
 * per-org backup statements read every row the org ever had, pruned ones included, each on its own page — ~300 pages
 * and 5-9 ms an org, growing with every night kept. Here 100 orgs with 400 nights each (30 still complete), laid out
 * as nightly runs lay them (one row per org a night); each statement, as the repository runs it, reads a handful of
 * pages of the org's live rows, not its whole history.
 */
class BackupHistoryIndexTest {

    private static final int ORGS = 100;
    private static final int NIGHTS = 400;
    private static final int KEPT = 30;
    /** At most the org's kept rows (a page each), the index and a start's own insert: its whole history is ~400 pages. */
    private static final int MAX_PAGES = 60;

    private static String url;
    private static Catalog catalog;

    @BeforeAll
    static void history() throws Exception {
        url = TestCatalog.initialisedDatabase();
        catalog = Catalog.connect(url); // the migrations are applied
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("insert into backups (backup_id, org_id, location, pool_id, database_name, started_at, finished_at, status, docs, "
                    + "bytes, sha256, run_id, recorded_at) "
                    + "select 'b-' || n || '-' || g, 'org-' || g, 'file:///store/org-' || g || '/b-' || n || '/', 'pool-0', 'org_org_' || g, "
                    + "timestamptz '2025-01-01' + n * interval '1 day', timestamptz '2025-01-01' + n * interval '1 day' + interval '5 seconds', "
                    + "case when n > " + (NIGHTS - KEPT) + " then 'complete' else 'pruned' end, 50, 1277, repeat('ab', 32), 'run-' || n, "
                    + "timestamptz '2025-01-01' + n * interval '1 day' "
                    + "from generate_series(1, " + NIGHTS + ") n cross join generate_series(1, " + ORGS + ") g order by n, g"); // night by night
            s.execute("analyze backups");
        }
    }

    @AfterAll
    static void close() {
        catalog.close();
    }

    @Test
    void theOrgsNewestCompleteBackupReadsNotItsPrunedHistory() throws Exception {
        JsonNode plan = Explained.plan(url, BackupRepository.NEWEST_COMPLETE, "org-42");
        assertThat(Explained.pages(plan)).as("pages read: %s", plan).isLessThan(MAX_PAGES);
        assertThat(new BackupRepository(catalog).newestComplete("org-42").orElseThrow().backupId()).isEqualTo("b-" + NIGHTS + "-42");
    }

    @Test
    void theOrgsListingReadsNotItsPrunedHistory() throws Exception {
        JsonNode plan = Explained.plan(url, BackupRepository.LIST, "org-42", "org-42");
        assertThat(Explained.pages(plan)).as("pages read: %s", plan).isLessThan(MAX_PAGES);
        assertThat(new BackupRepository(catalog).list("org-42")).hasSize(KEPT);
    }

    /**
     * The complete backups recorded under a store's root (a file:// store whose directory is gone: verify, restore, backup,
     * forget and purge count them to tell a volume not mounted from every backup gone) were found by
     * {@code left(location, length(?)) = ?}, which no index serves: every row of the table, pruned history included, was
     * read. backups_complete_location_idx serves the prefix match; an org's store prefix reads a handful of pages, and a
     * store's root is served by the index too, not the table read whole.
     */
    @Test
    void theCompleteBackupsUnderAStoreAreFoundByTheIndexNotByReadingEveryRow() throws Exception {
        JsonNode plan = Explained.plan(url, BackupRepository.COMPLETE_UNDER, BackupRepository.likePrefix("file:///store/org-42/"));
        assertThat(Explained.indexesRead(plan)).as("plan: %s", plan).anyMatch(i -> i.matches("backups_complete_location_idx: .*location.*"));
        assertThat(Explained.pages(plan)).as("pages read: %s", plan).isLessThan(MAX_PAGES);
        JsonNode root = Explained.plan(url, true, BackupRepository.COMPLETE_UNDER, BackupRepository.likePrefix("file:///store/"));
        assertThat(Explained.indexesRead(root)).as("plan: %s", root).anyMatch(i -> i.matches("backups_complete_location_idx: .*location.*"));

        BackupRepository backups = new BackupRepository(catalog);
        assertThat(backups.completeUnder("file:///store/")).isEqualTo(new BackupRepository.Written((long) ORGS * KEPT, ORGS));
        assertThat(backups.completeUnder("file:///store/org-42/")).isEqualTo(new BackupRepository.Written(KEPT, 1));
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("insert into backups (backup_id, org_id, location, status) values ('u-1', 'under', 'file:///mnt/back_ups/under/u-1/', "
                    + "'complete'), ('u-2', 'under', 'file:///mnt/backXups/under/u-2/', 'complete'), "
                    + "('u-3', 'under', 'file:///mnt/100%/under/u-3/', 'complete'), ('u-4', 'under', 'file:///mnt/100/under/u-4/', 'complete')");
        }
        assertThat(backups.completeUnder("file:///mnt/back_ups/")).as("'_' is itself, not any one character").isEqualTo(new BackupRepository.Written(1, 1));
        assertThat(backups.completeUnder("file:///mnt/100%/")).as("'%' is itself, not anything").isEqualTo(new BackupRepository.Written(1, 1));
    }

    @Test
    void aBackupsStartReadsNotTheOrgsPrunedHistory() throws Exception {
        // the statement inserts: explained (and run) in a transaction rolled back
        JsonNode plan = Explained.plan(url, BackupRepository.START, "org-42", "run-" + (NIGHTS + 1), BackupRepository.DAMAGED + "%",
                "b-new-42", "org-42", "file:///store/org-42/b-new/", "pool-0", "org_org_42", Timestamp.from(Instant.now()), null,
                "run-" + (NIGHTS + 1));
        assertThat(Explained.pages(plan)).as("pages read: %s", plan).isLessThan(MAX_PAGES);
    }
}
