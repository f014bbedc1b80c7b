package io.tenantctl.cli;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Restore;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectInfo;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.ForwardingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restore without --backup finds the org's newest backup in the store's listing of the org, and then asked whether a
 * backup only the store has is the final one of a delete: that listed the org's prefix a second time (on S3, one LIST
 * page per thousand of the org's files), each time the restore decides which backup is the newest. One listing serves both,
 * and the restore decides once.
 */
class RestoreListsTheStoreOnceForEachDecisionTest {

    @TempDir
    Path dir;

    @Test
    void aRestoreOfTheNewestBackupListsTheOrgsPrefixOnceEachTimeItDecides() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 10);
            f.backup("acme");

            List<String> listed = new ArrayList<>();
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new ForwardingStore(new FileObjectStore(f.storeDir)) {
                     @Override
                     public List<ObjectInfo> list(String prefix) {
                         listed.add(prefix);
                         return real.list(prefix);
                     }
                 }) {
                new Restore(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store)
                        .run(new Restore.Request("acme", null, null, null, false, false, false, null, false));
            }
            // the newest is decided once, under the org's lease (whoever held the org may have backed it up before): one listing
            assertThat(listed).as("the store's listings").filteredOn(p -> p.endsWith("acme/")).hasSize(1);
            f.assertHolds("acme", BackupFixture.contents(f.db("acme")));
        }
    }
}
