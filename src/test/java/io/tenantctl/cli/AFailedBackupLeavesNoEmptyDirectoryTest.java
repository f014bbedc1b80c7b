package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.TenantctlException;
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
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Found by a probe on a full tmpfs: a backup that failed on its first file had its files removed but left its empty
 * org/backup_id/ directory in the file:// store, which no listing shows and prune never removed. Its cleanup removes the
 * directory too; and prune, meeting such a leftover of an older version, deletes the failed backup and its directory.
 */
class AFailedBackupLeavesNoEmptyDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void aBackupThatFailsOnItsFirstFileLeavesNoDirectoryAndPruneClearsAnOlderVersionsLeftover() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 10);
            f.backup("acme"); // a complete one: prune keeps it, and the org's directory with it
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new AFullStoreStopsTheBackupRunTest.Full(new FileObjectStore(f.storeDir))) {
                catchThrowableOfType(() -> new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(
                        new Backup.Request(new Backup.Selector(List.of("acme"), false, List.of(), false), new Backup.Copy(Compression.GZIP, false, null),
                                false, new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), RunControl.START, new CancelToken(),
                                        Progress.NONE), Clock.systemUTC())), TenantctlException.class);
            }
            String failed = backupId(f, "failed");
            assertThat(f.storeDir.resolve("acme").resolve(failed)).as("the failed backup's directory is removed with its files")
                    .doesNotExist();

            Files.createDirectories(f.storeDir.resolve("acme").resolve(failed)); // as an older version left it
            Cli.Result prune = f.cli.run("backups", "prune", "--grace-hours", "0");
            assertThat(prune.exitCode()).as(prune.toString()).isZero();
            assertThat(f.storeDir.resolve("acme").resolve(failed)).as("prune deletes the failed backup's leftover directory: " + prune)
                    .doesNotExist();
            String complete = backupId(f, "complete");
            try (Stream<Path> dirs = Files.walk(f.storeDir.resolve("acme"), 1)) {
                assertThat(dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList())
                        .as("the complete backup's directory alone").containsExactlyInAnyOrder("acme", complete);
            }
        }
    }

    /** The id of the org's one backup in {@code status}, as 'backups list' shows it. */
    private static String backupId(BackupFixture f, String status) {
        JsonNode list = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
        List<String> ids = list.findParents("backup_id").stream().filter(b -> status.equals(b.path("status").asText()))
                .map(b -> b.get("backup_id").asText()).distinct().toList();
        assertThat(ids).as(list.toPrettyString()).hasSize(1);
        return ids.get(0);
    }
}
