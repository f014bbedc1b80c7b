package io.tenantctl.cli;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.ops.Backups;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.Retry;
import io.tenantctl.store.FileObjectStore;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.ForwardingStore;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code backups prune} deletes an org's backups under the org's lease, taken once per org with no
 * heartbeat ("a few deletes: no heartbeat needed") and never checked again. An org with many backups outside retention
 * (an enterprise org set to free: 90 days x 6 a day, each a manifest and a file per collection; a store listing and a
 * delete per object on S3) keeps prune busy on it for longer than the lease's 60 s. Once the lease has expired, a
 * {@code restore --in-place --drop-existing} of one of those old backups takes the org (the backup checked whole, the
 * org's database dropped), and prune, still working from the list of deletions it made before, deletes that backup's
 * files under the restore. The restore fails half-way: the org is left restoring with a partial database, and the
 * backup it was restoring from, the data the operator wanted back, exists nowhere any more.
 *
 * The test stands in for the 60 s of deleting by expiring prune's lease in the catalog at its first delete.
 */
class PruneOutlivesItsLeaseTest {

    @TempDir
    Path dir;

    @Test
    void aPruneWhoseLeaseExpiredMustNotDeleteTheBackupARestoreThenTookTheOrgFor() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 1500);
            f.db("acme").getCollection("b_notes").insertOne(new Document("_id", 1));
            String b1 = f.backup("acme");
            String b2 = f.backup("acme");
            Map<String, List<RawBsonDocument>> asOfOld = BackupFixture.contents(f.db("acme"));
            f.db("acme").getCollection("a_notes").deleteMany(new Document()); // the mistake the restore is to undo
            f.backup("acme"); // the newest, with the mistake in it: always kept

            // prune deletes newest first as the catalog recorded them: the one it gets to last is the one the operator restores
            String restored = b1;
            String deletedFirst = b2;

            BackupFixture.HeldAtCreate restore = f.holdFirstCreate(db -> db.equals("org_acme"));
            AtomicReference<CompletableFuture<Cli.Result>> restoring = new AtomicReference<>();
            AtomicReference<Boolean> restoreTookTheOrg = new AtomicReference<>(false);

            try (Catalog catalog = Catalog.open(f.catalogUrl); PoolClients pools = new PoolClients(Map.of());
                 FileObjectStore real = new FileObjectStore(f.storeDir)) {
                ForwardingStore store = new ForwardingStore(real) {
                    @Override
                    public void delete(String key) {
                        if (restoring.get() == null && key.contains(deletedFirst)) {
                            // prune has been deleting for over a minute: its lease on acme has run out
                            expireLease(f.catalogUrl, "acme");
                            restoring.set(restore.cli().start("restore", "--org", "acme", "--backup", restored, "--in-place",
                                    "--drop-existing"));
                            try {
                                restoreTookTheOrg.set(restore.awaitReached()); // checked the backup, dropped acme's database
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        super.delete(key);
                    }
                };
                Backups.PruneResult pruned = new Backups(new OpsContext(catalog, pools, Retry.ferretDefault(), "cron"), store)
                        .prune(new Backups.PruneRequest(List.of("acme"), 1, 0, 0, 24, false, Clock.systemUTC()));
                assertThat(restoring.get()).as("prune deleted %s: %s", deletedFirst, pruned).isNotNull();
            }
            assertThat(restoreTookTheOrg.get()).as("the restore got past its drop").isTrue();
            restore.release();
            Cli.Result r = restoring.get().get(120, TimeUnit.SECONDS);

            boolean backupStillThere = f.storeDir.resolve("acme").resolve(restored).resolve("manifest.json").toFile().exists();
            assertThat(backupStillThere).as("the backup the in-place restore was reading was pruned under it; restore: %s", r).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            f.assertHolds("acme", asOfOld);
        }
    }

    private static void expireLease(String catalogUrl, String orgId) {
        try (Connection c = DriverManager.getConnection(catalogUrl); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("update org_leases set lease_until = now() - interval '1 second' where org_id = '" + orgId + "'"))
                    .as("prune holds acme's lease while it deletes").isEqualTo(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
