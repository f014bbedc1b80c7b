package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.BackupRepository;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.ops.Backups;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Restore;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.ForwardingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The store side of VerifyOutOfFileDescriptorsFindsNothingTest, for the verbs that judge a backup by reading it: a
 * backup file tenantctl cannot open for want of a descriptor (EMFILE, its own {@code ulimit -n}) made prune call the
 * newest backup "damaged (… Too many open files): restore refuses it" and keep it for a person to look at, and a restore
 * that met it end as a failure of the backup (exit 1). It is this process's limit: exit 3, the one line saying what ran
 * out and what to do, and no backup called or marked damaged.
 */
class BackupsOutOfFileDescriptorsIsNotDamageTest {

    @TempDir
    Path dir;

    @Test
    void pruneDoesNotCallABackupItCouldNotOpenDamaged() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.backup("acme");
            String newest = f.backup("acme");
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = outOfDescriptorsListing(new FileObjectStore(f.storeDir), newest)) {
                OpsContext ctx = new OpsContext(catalog, pools, Retry.ferretDefault(), "test");
                TenantctlException e = catchThrowableOfType(() -> new Backups(ctx, store).prune(new Backups.PruneRequest(List.of("acme"),
                        1, 0, 0, 0, true, Clock.systemUTC())), TenantctlException.class);

                assertOurs(e);
                assertThat(new BackupRepository(catalog).find(newest).orElseThrow().error()).as("not marked damaged").isNull();
            }
        }
    }

    @Test
    void aRestoreThatCouldNotOpenAFileIsThisProcesssFailureNotTheBackups() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String newest = f.backup("acme");
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = outOfDescriptorsOpening(new FileObjectStore(f.storeDir), newest)) {
                OpsContext ctx = new OpsContext(catalog, pools, Retry.ferretDefault(), "test");
                TenantctlException e = catchThrowableOfType(() -> new Restore(ctx, store).run(new Restore.Request("acme", null, null, null,
                        false, false, false, null, false)), TenantctlException.class);

                assertOurs(e);
                assertThat(new BackupRepository(catalog).find(newest).orElseThrow().error()).as("not marked damaged").isNull();
            }
        }
    }

    private static void assertOurs(TenantctlException e) {
        assertThat(e).as("this process ran out: a failure said as such").isNotNull();
        assertThat(e.category().exitCode).as(e.getMessage()).isEqualTo(3);
        assertThat(e.getMessage()).as("what ran out and what to do").doesNotContain("\n").contains("ran out of file descriptors")
                .contains("ulimit -n").doesNotContain("damaged");
    }

    /**
     * {@code real}, but backup {@code backupId} cannot be listed nor any of its files opened, its manifest included: EMFILE,
     * as the file store says it (prune judges the backup it keeps from the org's listing, then reads its manifest).
     */
    private static ObjectStore outOfDescriptorsListing(ObjectStore real, String backupId) {
        return new ForwardingStore(real) {
            @Override
            public List<io.tenantctl.store.ObjectInfo> list(String prefix) {
                if (prefix.contains(backupId)) {
                    throw emfile("cannot list " + prefix, prefix);
                }
                return real.list(prefix);
            }

            @Override
            public InputStream open(String key) {
                if (key.contains(backupId)) {
                    throw emfile("cannot read " + key, key);
                }
                return real.open(key);
            }
        };
    }

    /** {@code real}, but a collection file of backup {@code backupId} cannot be opened: EMFILE, as the file store says it. */
    private static ObjectStore outOfDescriptorsOpening(ObjectStore real, String backupId) {
        return new ForwardingStore(real) {
            @Override
            public InputStream open(String key) {
                if (key.contains(backupId) && !key.endsWith("manifest.json")) {
                    throw emfile("cannot read " + key, key);
                }
                return real.open(key);
            }
        };
    }

    private static TenantctlException emfile(String what, String path) {
        return new TenantctlException(TenantctlException.Category.FAILED, what + ": Too many open files (" + path + ")",
                new FileSystemException(path, null, "Too many open files"));
    }
}
