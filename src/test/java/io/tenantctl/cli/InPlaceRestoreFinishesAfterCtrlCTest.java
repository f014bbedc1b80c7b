package io.tenantctl.cli;

import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README: Ctrl-C (or SIGTERM) during {@code restore --in-place --drop-existing} is honoured until the org's database is
 * dropped; "after that it finishes the restore (and says so), since stopping would leave the org with half its data".
 * Finishing includes what the restore does without a Ctrl-C: FerretDB's transient errors ("deadlock detected" on a
 * createIndexes under load) are retried. Once the token is cancelled the retry policy gives up at once, so a restore
 * that must finish fails on the first transient error instead, and the org is left restoring on half its data.
 */
class InPlaceRestoreFinishesAfterCtrlCTest {

    @TempDir
    Path dir;

    @Test
    void oneTransientDeadlockIsRetriedWhenNoCtrlCCame() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = RestoreInterruptTest.backupOfTwoCollections(f);
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));

            Cli.Result r = oneDeadlock(f, new AtomicBoolean(), new CancelToken())
                    .run("restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing");

            assertThat(r.exitCode()).as(r.toString()).isZero();
            f.assertHolds("acme", backedUp);
        }
    }

    @Test
    void anInPlaceRestorePastItsDropFinishesThroughATransientErrorAfterCtrlC() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = RestoreInterruptTest.backupOfTwoCollections(f);
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            CancelToken cancel = new CancelToken();

            // Ctrl-C comes as the restore creates its first collection: org_acme is already dropped
            Cli.Result r = oneDeadlock(f, new AtomicBoolean(true), cancel)
                    .run(cancel, "restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing");

            assertThat(f.org("acme").get("status").asText()).as("the restore was to finish: %s", r).isEqualTo("active");
            f.assertHolds("acme", backedUp);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.err()).contains("the interrupt came after the org's database was dropped, so the restore was finished");
        }
    }

    /**
     * A CLI on the fleet whose pools answer the first createIndexes with FerretDB's transient "deadlock detected" (retried
     * by its policy), and that cancels {@code cancel} (Ctrl-C) on the first create when {@code ctrlC} is set.
     */
    private static Cli oneDeadlock(BackupFixture f, AtomicBoolean ctrlC, CancelToken cancel) {
        AtomicBoolean deadlocked = new AtomicBoolean();
        return f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme") ? db // not the scratch trial
                : HookedPools.beforeEach(db, "runCommand", (Object[] args) -> {
                    org.bson.conversions.Bson cmd = (org.bson.conversions.Bson) args[0];
                    String first = cmd.toBsonDocument().getFirstKey();
                    if (first.equals("create") && ctrlC.getAndSet(false)) {
                        cancel.cancel("SIGINT");
                    }
                    if (first.equals("createIndexes") && !deadlocked.getAndSet(true)) {
                        throw HookedPools.commandError(1, "deadlock detected");
                    }
                })));
    }
}
