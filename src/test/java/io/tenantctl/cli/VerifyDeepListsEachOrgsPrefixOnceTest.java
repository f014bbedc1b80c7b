package io.tenantctl.cli;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.ops.Progress;
import io.tenantctl.ops.Verify;
import io.tenantctl.ops.run.RunControl;
import io.tenantctl.ops.run.RunEngine;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code verify --deep} checks each org's newest backup every run (every file there at its size) after the listing of
 * the org's backups that chose it: it listed the backup's folder again for that check, a second LIST per org on every
 * deep verify. The org's listing holds each file at its size; the check reads it there, and finds a file cut short as before.
 */
class VerifyDeepListsEachOrgsPrefixOnceTest {

    @TempDir
    Path dir;

    @Test
    void aDeepVerifyListsEachOrgsPrefixOnceAndStillFindsAFileCutShort() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String id = f.backup("acme");

            List<String> listed = new CopyOnWriteArrayList<>();
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = ForwardingStore.recordingLists(new FileObjectStore(f.storeDir), listed)) {
                OpsContext ctx = new OpsContext(catalog, pools, Retry.ferretDefault(), "test");
                try (Verify.Result clean = new Verify(ctx).run(deep(f), store)) {
                    assertThat(clean.problems()).as("a whole backup: nothing found").isZero();
                }
                assertThat(listed).as("the store's LIST calls of a deep verify of acme: its backups, once").containsExactly("acme/");

                Path notes = f.files("acme", id).entrySet().stream().filter(e -> e.getKey().startsWith("notes."))
                        .map(Map.Entry::getValue).findFirst().orElseThrow();
                byte[] bytes = Files.readAllBytes(notes);
                Files.write(notes, Arrays.copyOf(bytes, bytes.length - 1));
                try (Verify.Result cut = new Verify(ctx).run(deep(f), store)) {
                    assertThat(cut.countsByKind()).as("a file of the newest backup cut short is found, as before")
                            .containsKey("backup_corrupt");
                }
            }
        }
    }

    private static Verify.Request deep(BackupFixture f) {
        return new Verify.Request(List.of("acme"), List.of(), true, null, null, null, false, false,
                new RunEngine.Drive(new RunEngine.Settings(1, 2, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                f.storeDir.toUri().toString(), Map.of(), false, "");
    }
}
