package io.tenantctl.cli;

import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restore loads each collection in batches of insertMany. FERRETDB.md has tenantctl retry network errors, and the
 * read-back already retried its reads (RestoreReadBackPastADroppedConnectionTest), but an insert was not retried: one
 * connection dropped while a batch went in (FerretDB restarted, a load balancer's idle cut) failed the whole restore,
 * and an in-place one past its drop, its data to be loaded all over again. The worst drop is the one after the batch
 * went in, its reply lost: the retry then meets documents already there, which are the batch's own (the count check and
 * the read-back hold every document to the backup).
 */
class RestoreLoadPastADroppedConnectionTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aBatchWhoseReplyWasLostIsRetriedAndTheOrgHoldsItsBackup(boolean inPlace) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 2_500); // three batches
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            String backupId = f.backup("acme");
            f.db("acme").getCollection("notes").deleteMany(new org.bson.Document());

            AtomicBoolean dropped = new AtomicBoolean();
            List<Integer> batches = new ArrayList<>();
            Cli cli = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real, db -> db.startsWith("org_acme"), "insertMany",
                    (collection, args, insert) -> {
                        Object result = insert.get();
                        if (collection.equals("notes")) {
                            batches.add(((List<?>) args[0]).size());
                            if (batches.size() == 2 && dropped.compareAndSet(false, true)) { // the second batch went in; its reply is lost
                                throw new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
                            }
                        }
                        return result;
                    }));
            List<String> args = new ArrayList<>(List.of("restore", "--org", "acme", "--backup", backupId));
            if (inPlace) {
                args.addAll(List.of("--in-place", "--drop-existing"));
            }
            Cli.Result r = cli.run(args.toArray(String[]::new));

            assertThat(dropped).as("the second batch's reply was lost").isTrue();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            f.assertHolds("acme", backedUp);
        }
    }

    /**
     * A pool whose connections keep dropping past every retry fails an in-place restore's trial load. That said the backup
     * "does not load ... choose another backup", sending the operator away from a sound backup (and to an older one,
     * losing what the newest holds); it is the pool that failed, and the same restore works once the pool answers.
     */
    @org.junit.jupiter.api.Test
    void aTrialLoadThePoolKeepsDroppingIsNotBlamedOnTheBackup() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 10);
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            String backupId = f.backup("acme");

            Cli cli = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real, db -> db.startsWith("org_acme"), "insertMany",
                    (collection, args, insert) -> {
                        throw new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
                    }));
            Cli.Result r = cli.run("restore", "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).as(r.toString()).contains("pool-0").contains("Prematurely reached end of stream")
                    .doesNotContain("does not load").doesNotContain("choose another backup");
            f.assertHolds("acme", backedUp); // nothing dropped
            Cli.Result again = f.cli.run("restore", "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");
            assertThat(again.exitCode()).as("the same restore once the pool answers: %s", again).isZero();
            f.assertHolds("acme", backedUp);
        }
    }
}
