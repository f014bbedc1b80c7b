package io.tenantctl.cli;

import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restore reads each collection back to hold its documents to the backup's digest. That read is a plain find, which
 * a dropped connection (FerretDB restarted, a load balancer's idle cut) fails like any other: FERRETDB.md has tenantctl
 * retry network errors, and a read is safe to repeat. It was not retried, so one dropped connection failed the whole
 * restore — past an in-place restore's drop, leaving the org restoring and its data to be loaded all over again.
 */
class RestoreReadBackPastADroppedConnectionTest {

    @TempDir
    Path dir;

    @Test
    void aConnectionDroppedWhileACollectionIsReadBackIsRetried() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 30);
            String backupId = f.backup("acme");
            f.db("acme").getCollection("notes").deleteMany(new org.bson.Document());

            AtomicBoolean dropped = new AtomicBoolean();
            Cli cli = f.cli.decoratePools(real -> HookedPools.beforeWholeFind(real, "org_acme", "notes", () -> {
                if (dropped.compareAndSet(false, true)) { // the first read-back of notes fails as a dropped connection does
                    throw new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
                }
            }));
            Cli.Result r = cli.run("restore", "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");

            assertThat(dropped).as("the read-back was reached").isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(0);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).as("acme's notes, as backed up").isEqualTo(30);
        }
    }
}
