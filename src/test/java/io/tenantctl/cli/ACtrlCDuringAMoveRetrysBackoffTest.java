package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A move retries its writes after a dropped connection (MoveCopyPastADroppedConnectionTest), and Retry gives a backoff
 * up within 100 ms of a Ctrl-C. The move was then rolled back as the pool's failure (exit 1, 'aborted: Prematurely
 * reached end of stream'), not stopped as the interrupt README promises (exit 130, said interrupted), as a restore's is
 * (ARestoreBatchRetryAfterAPauseOrCtrlCTest).
 */
@Timeout(120)
class ACtrlCDuringAMoveRetrysBackoffTest {

    @TempDir
    Path dir;

    /** Ctrl-C while a retried call into the target waits out its backoff: a first-copy batch, or a collection's create. */
    @ParameterizedTest
    @ValueSource(strings = {"insertMany", "create"})
    void aCtrlCDuringARetrysBackoffIsAnInterruptAndTheMoveIsRolledBack(String call) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            CancelToken cancel = new CancelToken();
            java.util.function.Supplier<RuntimeException> pressedWhileDropped = () -> { // the pool keeps dropping the call
                cancel.cancel("SIGINT");
                return new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
            };
            // the source is only read: every insert and create into org_acme is the target's
            Cli cli = f.newCli().decoratePools(real -> call.equals("insertMany")
                    ? HookedPools.aroundCollectionCall(real, "org_acme"::equals, "insertMany", (collection, args, insert) -> {
                        throw pressedWhileDropped.get();
                    })
                    : HookedPools.onCommand(real, (db, command) -> {
                        if (db.equals("org_acme") && HookedPools.is(command, call)) {
                            throw pressedWhileDropped.get();
                        }
                    }));

            Cli.Result r = cli.run(cancel, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            String error = strictJson(r).get("orgs").get(0).get("error").asText();
            assertThat(error).as(r.toString()).contains("aborted: interrupted").contains("org acme is active on its source pool-0");
            assertThat(strictJson(r).get("status").asText()).isEqualTo("interrupted");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            f.assertHolds("acme", before);
            assertThat(f.databaseNames("pool-1")).as("the target, dropped by the rollback").doesNotContain("org_acme");
        }
    }

    /**
     * A Ctrl-C lets a move in flight finish: a call the target then fails for good (an error that is not retried: a role
     * that may not write there) was said "interrupted (while a call the pool failed waited to be retried: …)", the org
     * not_started, nothing counted failed, though no backoff was cut short and a re-run fails alike. It is the move's
     * failure, rolled back, saying the pool's error, in a run the Ctrl-C still interrupted (exit 130).
     */
    @org.junit.jupiter.api.Test
    void aCallTheTargetFailsForGoodAfterACtrlCIsTheMovesFailureNotAnInterrupt() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            CancelToken cancel = new CancelToken();
            Cli cli = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real, "org_acme"::equals, "insertMany",
                    (collection, args, insert) -> {
                        cancel.cancel("SIGINT");
                        throw HookedPools.commandError(13, "not authorized on org_acme to execute command insert");
                    }));

            Cli.Result r = cli.run(cancel, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");

            assertThat(cancel.isCancelled()).as(r.toString()).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            JsonNode acme = strictJson(r).get("orgs").get(0);
            assertThat(acme.get("outcome").asText()).as(r.toString()).isEqualTo("failed");
            assertThat(acme.get("error").asText()).as(r.toString()).contains("not authorized").doesNotContain("interrupted");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(f.databaseNames("pool-1")).as("the target, dropped by the rollback").doesNotContain("org_acme");
        }
    }

    /**
     * Probed: a Ctrl-C while the frozen catch-up's copy of a collection again whole (a unique key moved while the org was
     * live) waits out a retry's backoff: an interrupt too (exit 130), the org unfrozen, active on its source with every
     * document as the application left it, and the target dropped.
     */
    @org.junit.jupiter.api.Test
    void aCtrlCDuringTheFrozenCopyAgainsBackoffIsAnInterruptAndTheOrgIsBackOnItsSource() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            MoveCopyPastADroppedConnectionTest.usersAndALaterCollection(f);
            CancelToken cancel = new CancelToken();
            java.util.concurrent.atomic.AtomicBoolean pressed = new java.util.concurrent.atomic.AtomicBoolean();
            Cli cli = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real, "org_acme"::equals, "insertMany",
                    (collection, args, insert) -> {
                        if (collection.equals("zz") && args.length == 2) { // users' first copy is done: the app swaps a unique key
                            MoveCopyPastADroppedConnectionTest.moveAUniqueKey(f);
                        }
                        if (collection.equals("users") && args.length == 1 && ((List<?>) args[0]).size() == 1000
                                && f.org("acme").get("status").asText().equals("read_only")) { // the copy again, frozen
                            pressed.set(true);
                            cancel.cancel("SIGINT");
                            throw new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
                        }
                        return insert.get();
                    }));

            Cli.Result r = cli.run(cancel, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0s", "-o", "json");

            assertThat(pressed).as("Ctrl-C during the frozen copy again: %s", r).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            assertThat(strictJson(r).get("orgs").get(0).get("error").asText()).as(r.toString()).contains("aborted: interrupted");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(f.org("acme").get("status").asText()).as("unfrozen").isEqualTo("active");
            assertThat(f.db("acme").getCollection("users").countDocuments()).isEqualTo(2000);
            assertThat(f.db("acme").getCollection("users").find(new org.bson.Document("_id", 0)).first().getString("email"))
                    .isEqualTo("u1500@acme.test");
            assertThat(f.databaseNames("pool-1")).as("the target, dropped by the rollback").doesNotContain("org_acme");
        }
    }
}
