package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.BackupRepository;
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
import io.tenantctl.testing.ForwardingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Found by a probing helper that backed up to a file store on a 3 MB tmpfs: the backup was rightly failed, its files
 * removed, but the line said only "cannot write to file:///…/: No space left on device", and its next step was the same
 * backup again, which fails the same way. A store that is full says so and the way out: free space (prune) or another
 * store. The backup stays failed, not complete, and restore never takes it; the run stops on it (exit 3), as a run on a
 * full store does before it reads the next org's database for nothing.
 */
class ABackupToAFullStoreSaysWhatToDoTest {

    @TempDir
    Path dir;

    @Test
    void aBackupThatFillsTheStoreFailsSayingTheStoreIsFullAndWhatToDo() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 3000);
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new FullAfter(new FileObjectStore(f.storeDir), 2_000)) {
                TenantctlException stopped = catchThrowableOfType(() -> new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"),
                        store).run(new Backup.Request(new Backup.Selector(List.of("acme"), false, List.of(), false),
                        new Backup.Copy(Compression.GZIP, false, null), false,
                        new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                        Clock.systemUTC())), TenantctlException.class);
                List<BackupRepository.Backup> rows = new BackupRepository(catalog).list("acme");

                assertThat(stopped).as("a full store is the store's fault, not the org's: the run stops on it").isNotNull();
                assertThat(stopped.category().exitCode).isEqualTo(3);
                assertThat(stopped.getMessage()).as(stopped.getMessage()).contains("No space left on device").contains("the store is full")
                        .contains("backups prune").contains("--store").doesNotContain("\n");
                assertThat(rows).as("one backup, the one the store had no room for").hasSize(1);
                assertThat(rows.get(0).status()).as("a backup the store had no room for").isEqualTo("failed");
            }
            Cli.Result list = f.cli.run("backups", "list", "--org", "acme");
            assertThat(list.out()).as(list.toString()).contains("failed").contains("the store is full").doesNotContain("complete");
            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--dry-run");
            assertThat(restore.exitCode()).as("no backup to restore from: " + restore).isNotZero();
        }
    }

    /** A store whose file system fills up once {@code room} bytes were written to it: every later write fails as the OS says. */
    private static final class FullAfter extends ForwardingStore {
        private final AtomicLong room;

        FullAfter(ObjectStore real, long room) {
            super(real);
            this.room = new AtomicLong(room);
        }

        @Override
        public Upload create(String key) {
            Upload upload = real.create(key);
            return onWrite(upload, (u, len) -> {
                if (room.addAndGet(-len) < 0) {
                    u.abort();
                    throw new IOException("No space left on device");
                }
            });
        }
    }
}
