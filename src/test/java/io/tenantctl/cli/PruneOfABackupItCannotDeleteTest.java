package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.ops.Backups;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.testing.ForwardingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One backup prune cannot delete (a directory or bucket prefix it may not write): the whole prune ended as a config error
 * (exit 3) at that backup, the other orgs' out-of-retention backups were not pruned, and what it had already deleted was
 * reported nowhere. That backup is now {@code failed} in the decisions, with why; the rest are pruned and reported.
 */
class PruneOfABackupItCannotDeleteTest {

    @TempDir
    Path dir;

    @Test
    void oneBackupThatCannotBeDeletedIsFailedAndTheOthersArePruned() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            String acmeOld = f.backup("acme");
            f.backup("acme");
            String globexOld = f.backup("globex");
            f.backup("globex");

            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 FileObjectStore real = new FileObjectStore(f.storeDir)) {
                ForwardingStore store = new ForwardingStore(real) {
                    @Override
                    public void delete(String key) {
                        if (key.contains(acmeOld)) {
                            throw TenantctlException.config("cannot delete " + key + ": access denied");
                        }
                        super.delete(key);
                    }
                };
                Backups.PruneResult r = new Backups(new OpsContext(catalog, pools, Retry.ferretDefault(), "cron"), store)
                        .prune(new Backups.PruneRequest(List.of(), 1, 0, 0, 24, false, Clock.systemUTC()));

                Map<String, Backups.Decision> byId = new java.util.HashMap<>();
                r.decisions().forEach(d -> byId.put(d.backupId(), d));
                assertThat(byId.get(acmeOld).action()).as(r.toString()).isEqualTo("failed");
                assertThat(byId.get(acmeOld).reason()).contains("access denied");
                assertThat(byId.get(globexOld).action()).as("the other org still pruned: %s", r).isEqualTo("delete");
            }
            assertThat(Files.exists(f.storeDir.resolve("globex").resolve(globexOld))).as("globex's old backup deleted").isFalse();
            assertThat(Files.exists(f.storeDir.resolve("acme").resolve(acmeOld).resolve("manifest.json"))).isTrue();
        }
    }
}
