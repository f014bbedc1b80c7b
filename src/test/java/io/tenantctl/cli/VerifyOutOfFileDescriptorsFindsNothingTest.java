package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.BackupRepository;
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
import io.tenantctl.store.ObjectInfo;
import io.tenantctl.store.ObjectStore;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.ForwardingStore;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Found by a probing helper running {@code verify --deep --concurrency 16} under {@code ulimit -n 22..28}: the store's
 * files could not be opened for want of a file descriptor (EMFILE, this process's own limit), and verify recorded
 * {@code backup_corrupt} ("the backups of org … could not be listed in the store: … Too many open files", "the newest
 * backup … does not read back") and {@code check_failed} findings, exit 4: an operator told their backups are corrupt
 * when their own process ran out of descriptors. It is a failure of this process: exit 3, one line saying what ran out
 * and what to do, no finding recorded and no backup marked damaged. The same for a pool's socket this process could not
 * open: not {@code pool_unreachable}.
 */
class VerifyOutOfFileDescriptorsFindsNothingTest {

    @TempDir
    Path dir;

    @Test
    void aStoreThatCannotBeListedForWantOfADescriptorIsNotACorruptBackup() throws Exception {
        assertNothingFoundWhenTheStore(real -> new ForwardingStore(real) {
            @Override
            public List<ObjectInfo> list(String prefix) {
                throw emfile("cannot list " + prefix, prefix);
            }
        });
    }

    @Test
    void aBackupFileThatCannotBeOpenedForWantOfADescriptorIsNotDamaged() throws Exception {
        assertNothingFoundWhenTheStore(real -> new ForwardingStore(real) {
            @Override
            public InputStream open(String key) {
                if (key.endsWith("manifest.json")) {
                    return real.open(key);
                }
                throw emfile("cannot read " + key, key); // a collection's file, as verify --deep reads it back
            }
        });
    }

    @Test
    void aPoolThisProcessCannotOpenASocketToIsNotUnreachable() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "beta");
            f.backup("acme");
            f.backup("beta");
            Cli outOfDescriptors = f.newCli().decoratePools(real -> HookedPools.onPing(real, poolId -> {
                throw new com.mongodb.MongoSocketOpenException("Exception opening socket", new com.mongodb.ServerAddress("127.0.0.1", 27017),
                        new java.net.SocketException("Too many open files"));
            }));

            Cli.Result r = outOfDescriptors.run("verify");

            assertThat(r.exitCode()).as("this process's limit, not the pools: %s", r).isEqualTo(3);
            assertThat(r.err().strip()).as("one line: what ran out and what to do").doesNotContain("\n")
                    .contains("ran out of file descriptors").contains("ulimit -n");
            assertThat(r.out() + r.err()).as("no pool is called unreachable").doesNotContain("pool_unreachable").doesNotContain("check_failed");
            assertThat(openFindings(f)).as("no finding recorded about the pools or orgs").isZero();
            Cli.Result again = f.cli.run("verify");
            assertThat(again.exitCode()).as("with descriptors to spare, the fleet is clean: %s", again).isZero();
        }
    }

    private static int openFindings(BackupFixture f) throws java.sql.SQLException {
        try (var c = DriverManager.getConnection(f.catalogUrl); var s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from findings where resolved_at is null")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private void assertNothingFoundWhenTheStore(java.util.function.UnaryOperator<ObjectStore> failing) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 5);
            String acme = f.backup("acme");
            String beta = f.backup("beta");

            TenantctlException e;
            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 ObjectStore store = failing.apply(new FileObjectStore(f.storeDir))) {
                Verify.Request req = new Verify.Request(List.of(), List.of(), true, null, null, null, false, false,
                        new RunEngine.Drive(new RunEngine.Settings(1, 2, 0, false), RunControl.START, new CancelToken(), Progress.NONE),
                        f.storeDir.toUri().toString(), Map.of(), false, "");
                e = catchThrowableOfType(() -> new Verify(new OpsContext(catalog, pools, Retry.ferretDefault(), "test")).run(req, store),
                        TenantctlException.class);

                assertThat(e).as("this process ran out, not the fleet: a failure, not findings").isNotNull();
                assertThat(e.category().exitCode).as(e.getMessage()).isEqualTo(3);
                assertThat(e.getMessage()).as("one line: what ran out and what to do").doesNotContain("\n")
                        .contains("ran out of file descriptors").contains("ulimit -n").contains("--concurrency");
                for (String id : List.of(acme, beta)) {
                    assertThat(new BackupRepository(catalog).find(id).orElseThrow().error()).as("backup %s is not marked damaged", id).isNull();
                }
            }
            assertThat(openFindings(f)).as("no finding recorded about the backups or the orgs").isZero();
            Cli.Result again = f.cli.run("verify", "--deep");
            assertThat(again.exitCode()).as("with descriptors to spare, the fleet is clean: %s", again).isZero();
        }
    }

    /** What the file store throws when the OS says EMFILE opening {@code path}. */
    private static TenantctlException emfile(String what, String path) {
        return new TenantctlException(TenantctlException.Category.FAILED, what + ": Too many open files (" + path + ")",
                new FileSystemException(path, null, "Too many open files"));
    }
}
