package io.tenantctl.cli;

import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.BackupRepository;
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
import io.tenantctl.store.ObjectInfo;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.ForwardingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a backup never checks that the collection files it already published are still in the store when
 * it writes manifest.json. A store directory that goes away mid-backup (a network mount remounted empty, a clean-up
 * script) is silently re-created by the next upload, so the backup writes the rest, writes a manifest listing files that
 * are gone, records the backup complete in the catalog and reports the org backed_up (exit 0). That backup is the org's
 * newest complete one: the one {@code restore} takes by default and the one prune always keeps while it deletes the older,
 * good ones - and restoring it fails ("the backup is damaged").
 */
class StoreVanishesMidBackupTest {

    @TempDir
    Path dir;

    @Test
    void aBackupWhoseEarlierFilesVanishedBeforeItsManifestIsNotRecordedComplete() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 1500); // copied first (collections go in name order), then messages and users

            RunReport.Org acme;
            String backupId;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = new VanishBeforeCreating(new FileObjectStore(f.storeDir), f.storeDir, "/messages.ndjson")) {
                Backup.Result r = new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(new Backup.Request(
                        new Backup.Selector(List.of("acme"), false, List.of(), false), new Backup.Copy(Compression.GZIP, false, null), false,
                        new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                        Clock.systemUTC()));
                acme = CliFixture.lines(r.lines()).get(0);
                backupId = acme.detail().path("backup_id").asText();
                String status = new BackupRepository(catalog).find(backupId).map(BackupRepository.Backup::status).orElse("none");

                assertThat(store.exists("acme/" + backupId + "/a_notes.ndjson.gz")).as("the store lost a_notes' file").isFalse();
                assertThat(acme.outcome()).as("backup reported %s, catalog says %s", acme.outcome(), status).isEqualTo("failed");
                assertThat(status).as("catalog row of a backup whose files are gone").isNotEqualTo("complete");
            }

            // and restore's default never picks it
            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--dry-run", "-o", "json");
            assertThat(restore.out()).as(restore.toString()).doesNotContain(backupId);
        }
    }

    /** A file store whose directory is emptied (as if remounted) just before the first upload to a key containing {@code part}. */
    private static final class VanishBeforeCreating extends ForwardingStore {
        private final Path root;
        private final String part;
        private final AtomicBoolean done = new AtomicBoolean();

        VanishBeforeCreating(ObjectStore real, Path root, String part) {
            super(real);
            this.root = root;
            this.part = part;
        }

        @Override
        public Upload create(String key) {
            if (key.contains(part) && done.compareAndSet(false, true)) {
                try (Stream<Path> s = Files.walk(root)) {
                    s.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(root)).forEach(p -> {
                        try {
                            Files.delete(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return real.create(key);
        }
    }
}
