package io.tenantctl.cli;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Restore;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.ForwardingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A restore without --backup finds the org's newest backup in the store's listing of the org, and then asked whether a
 * backup only the store has is the final one of a delete: that listed the org's prefix a second time (on S3, one LIST
 * page per thousand of the org's files), each time the restore decides which backup is the newest. One listing serves both,
 * and the restore decides once. That listing holds every file of the newest backup at its size, too: the check that none
 * is gone or cut short (dry run and restore alike) listed the backup's folder again; it reads them from the org's listing.
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
                 ObjectStore store = ForwardingStore.recordingLists(new FileObjectStore(f.storeDir), listed)) {
                new Restore(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store)
                        .run(new Restore.Request("acme", null, null, null, false, false, false, null, false));
            }
            // the newest is decided once, under the org's lease (whoever held the org may have backed it up before): one listing
            assertThat(listed).as("the store's listings").filteredOn(p -> p.endsWith("acme/")).hasSize(1);
            f.assertHolds("acme", BackupFixture.contents(f.db("acme")));
        }
    }
    @Test
    void aDryRunAndARestoreListTheOrgsPrefixOnceAndNoFolderOfItAgain() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 10);
            String older = f.backup("acme");
            String backupId = f.backup("acme");

            List<String> listed = new ArrayList<>();
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = ForwardingStore.recordingLists(new FileObjectStore(f.storeDir), listed)) {
                OpsContext ctx = new OpsContext(catalog, pools, Retry.ferretDefault(), "test");
                Restore.Result plan = new Restore(ctx, store).run(new Restore.Request("acme", null, null, null, false, false, true, null, false));
                assertThat(plan.backupId()).isEqualTo(backupId);
                assertThat(plan.status()).isEqualTo("planned");
                assertThat(listed).as("a dry run's LIST calls: the org's prefix, which holds every file of its newest backup")
                        .containsExactly("acme/");
                listed.clear();
                Restore.Result done = new Restore(ctx, store).run(new Restore.Request("acme", null, null, null, false, false, false, null, false));
                assertThat(done.backupId()).isEqualTo(backupId);
                assertThat(listed).as("a restore's LIST calls").containsExactly("acme/");

                // a file of it cut short since: the dry run refuses it as before, from that same listing
                Path notes = f.files("acme", backupId).entrySet().stream().filter(e -> e.getKey().startsWith("notes."))
                        .map(Map.Entry::getValue).findFirst().orElseThrow();
                byte[] bytes = Files.readAllBytes(notes);
                Files.write(notes, Arrays.copyOf(bytes, bytes.length - 1));
                listed.clear();
                assertThatThrownBy(() -> new Restore(ctx, store).run(new Restore.Request("acme", null, null, null, false, false, true, null, false)))
                        .hasMessageContaining(notes.getFileName() + " holds " + (bytes.length - 1) + " bytes, not the " + bytes.length)
                        .hasMessageContaining("the backup is damaged")
                        .hasMessageContaining("the next older one is " + older);
                // the older one it names checked as the restore would check it: against a listing of the org, not its folder's
                assertThat(listed).as("the LIST calls of a dry run refusing the newest and naming the older one")
                        .containsExactly("acme/", "acme/");
            }
            f.assertHolds("acme", BackupFixture.contents(f.db("acme")));
        }
    }
}
