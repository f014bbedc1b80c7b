package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read-back (3f51415) fails a restore whose documents do not come back as the backup holds them, and blamed the
 * pool alone: "pool P stores its documents otherwise ... restore onto a pool that keeps them (--target-pool)". An
 * in-place restore's trial load has just shown that the pool keeps them; what changes a document there is a client
 * still writing into the org's database (its status says restoring, a stale client does not look). The operator was
 * sent to another pool, for a restore that fails the same there while the client writes; the error now says so.
 */
class RestoreReadBackOfADocumentWrittenMeanwhileTest {

    @TempDir
    Path dir;

    @Test
    void aDocumentUpdatedDuringAnInPlaceRestoreIsNamedAsAWriteNotTheTypesThePoolKeeps() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 30);
            String backupId = f.backup("acme");

            AtomicBoolean written = new AtomicBoolean();
            Cli cli = f.cli.decoratePools(real -> HookedPools.beforeWholeFind(real, "org_acme", "notes", () -> {
                if (written.compareAndSet(false, true)) { // a stale client writes as the read-back of notes begins
                    f.database("pool-0", "org_acme").getCollection("notes")
                            .updateOne(new Document("_id", 7), new Document("$set", new Document("text", "a stale client")));
                }
            }));
            Cli.Result r = cli.run("restore", "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");

            assertThat(written).as("the read-back was reached").isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).as(r.toString()).contains("notes").contains("wrote into org_acme during the restore");
        }
    }
}
