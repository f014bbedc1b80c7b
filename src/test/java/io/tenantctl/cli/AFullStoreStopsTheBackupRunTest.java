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
import io.tenantctl.testing.ForwardingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
 * Found by a probe backing up to a file store on a full 3 MB tmpfs: 'backup --all' read every org's whole database, each
 * failing alike on "No space left on device" — minutes of load on the pools for nothing. A full store is a fact about the
 * store, not the org: the run stops at the first org that meets it, exit 3 with one line saying the store is full and
 * what to do, the run kept for --resume, the orgs not reached not started and no backup of theirs taken.
 */
class AFullStoreStopsTheBackupRunTest {

    @TempDir
    Path dir;

    @Test
    void aFullStoreStopsTheRunAtTheFirstOrgAndItsResumeBacksUpEveryOrgOnceThereIsRoom() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "bravo", "charlie");
            f.notes("acme", "a_notes", 50);
            f.notes("bravo", "a_notes", 50);
            f.notes("charlie", "a_notes", 50);
            Full full = new Full(new FileObjectStore(f.storeDir));
            TenantctlException stopped;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of()); ObjectStore store = full) {
                stopped = catchThrowableOfType(() -> new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(
                        new Backup.Request(new Backup.Selector(List.of(), true, List.of(), false), new Backup.Copy(Compression.GZIP, false, null), false,
                                new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                                Clock.systemUTC())), TenantctlException.class);
            }

            assertThat(stopped).as("the run stops on a full store").isNotNull();
            assertThat(stopped.category().exitCode).as(stopped.getMessage()).isEqualTo(3);
            String runId = stopped.runId();
            assertThat(stopped.getMessage()).as("one line: the store is full, what to do, how to go on")
                    .contains("No space left on device").contains("the store is full").contains("backups prune").contains("--store")
                    .contains("--resume " + runId).doesNotContain("\n");
            assertThat(full.refused).as("one org's backup met the full store; the others were not read for nothing").hasSize(1);

            Cli.Result list = ok(f.cli, "backups", "list", "-o", "json");
            JsonNode backups = strictJson(list);
            assertThat(backups.findValuesAsText("status")).as("one failed backup, the org that met the full store: " + list.out())
                    .containsExactly("failed");
            try (Stream<Path> files = Files.walk(f.storeDir)) {
                assertThat(files.filter(Files::isRegularFile).toList()).as("the failed backup's files are removed").isEmpty();
            }
            JsonNode run = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            for (String org : List.of("acme", "bravo", "charlie")) {
                assertThat(CliFixture.runItem(run, org).get("outcome").asText()).as("no org is failed or done: none is to blame, none"
                        + " was backed up: " + run.toPrettyString()).isEqualTo("not_started");
            }
            assertThat(ok(f.cli, "runs", "list").out()).as("the run is kept, for --resume").contains(runId);

            Cli.Result resumed = f.cli.run("backup", "--resume", runId);
            assertThat(resumed.exitCode()).as("once there is room, --resume backs every org up: " + resumed).isZero();
            Cli.Result after = ok(f.cli, "backups", "list", "-o", "json");
            assertThat(strictJson(after).findValuesAsText("status").stream().filter("complete"::equals).count()).as(after.out()).isEqualTo(3);
        }
    }

    /**
     * Found by a 3 a.m. probe: the store's directory moved away (a volume unmounted, leaving its empty mount point) in the
     * middle of 'backup --all', and the orgs after it were backed up into a directory made anew on the disk under it — exit
     * 0, the run succeeded, the root disk filling, the org's backups split in two. The run now stops at the first org that
     * would write there: exit 3, one line saying the store is no longer the directory it opened, nothing written there.
     */
    @Test
    void aStoreDirectoryUnmountedMidRunStopsTheRunRatherThanWriteOnTheDiskUnderIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "bravo", "charlie");
            Path unmounted = dir.resolve("unmounted");
            ObjectStore unmounting = new ForwardingStore(new FileObjectStore(f.storeDir)) {
                @Override
                public Upload create(String key) {
                    if (!key.startsWith("acme/") && !Files.exists(unmounted)) { // acme's backup is whole: the volume goes
                        try {
                            Files.move(f.storeDir, unmounted);
                            Files.createDirectory(f.storeDir); // the mount point left behind
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                    return real.create(key);
                }
            };
            TenantctlException stopped;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of()); ObjectStore store = unmounting) {
                stopped = catchThrowableOfType(() -> new Backup(new OpsContext(catalog, pools, Retry.ferretDefault(), "test"), store).run(
                        new Backup.Request(new Backup.Selector(List.of(), true, List.of(), false), new Backup.Copy(Compression.GZIP, false, null), false,
                                new RunEngine.Drive(new RunEngine.Settings(1, 1, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                                Clock.systemUTC())), TenantctlException.class);
            }

            assertThat(stopped).as("the run stops, not 'backed up 3'").isNotNull();
            assertThat(stopped.category().exitCode).as(stopped.getMessage()).isEqualTo(3);
            assertThat(stopped.getMessage()).as("one line: the store is not the directory it opened, what to do")
                    .contains(f.storeDir.toUri().toString()).contains("no longer the directory").contains("mount it again")
                    .contains("--resume " + stopped.runId()).doesNotContain("\n");
            try (Stream<Path> files = Files.walk(f.storeDir)) {
                assertThat(files.filter(p -> !p.equals(f.storeDir)).toList()).as("nothing written on the disk under the mount point").isEmpty();
            }
            try (Stream<Path> files = Files.walk(unmounted)) {
                assertThat(files.filter(p -> p.endsWith("manifest.json")).toList()).as("acme's backup, on the volume").hasSize(1);
            }
        }
    }

    /** A store whose file system is full: every write fails as the OS says, and is counted. */
    static final class Full extends ForwardingStore {
        final java.util.Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet(); // the orgs whose backup met it

        Full(ObjectStore real) {
            super(real);
        }

        @Override
        public int deletePrefix(String prefix) {
            return real.deletePrefix(prefix); // the file system's own clean-up, as on a real full disk
        }

        @Override
        public Upload create(String key) {
            Upload upload = real.create(key);
            return onWrite(upload, (u, len) -> {
                refused.add(key.substring(0, key.indexOf('/')));
                u.abort();
                throw new IOException("No space left on device");
            });
        }
    }
}
