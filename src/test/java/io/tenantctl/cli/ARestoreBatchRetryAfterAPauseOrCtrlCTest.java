package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restore's batch is retried after a dropped connection (RestoreLoadPastADroppedConnectionTest). A retry is a new
 * write: it must be made only while the restore still holds its org, and a Ctrl-C that cuts its backoff short is an
 * interrupt (exit 130, run interrupted, nothing dropped), not a pool failure.
 */
@Timeout(120)
class ARestoreBatchRetryAfterAPauseOrCtrlCTest {

    @TempDir
    Path dir;

    /**
     * In place, held (kill -STOP) in its second batch of a_notes past its lease; a takeover restores the org and the
     * application deletes from it; the first wakes to find its connection gone. Its retry wrote the batch again, unordered,
     * into the org's live database: documents the application had deleted came back.
     */
    @Test
    void aRetryAfterTheLeaseWasTakenOverWritesNothing() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String backupId = RestoreInterruptTest.backupOfTwoCollections(f);
            String database = f.org("acme").get("database_name").asText();
            // its connection was cut while it was stopped: nothing of the batch went in
            Pause pause = Pause.at(2).thenConnectionLost();
            Cli first = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real, database::equals, "insertMany",
                    pause.on("a_notes")));
            // after the takeover the application, the org active again, deletes every a_notes document
            var w = ARestoreWokenAfterItsLeaseWasTakenOverTest.inPlaceWokenAfterATakeover(f, backupId, first, pause,
                    "restore #1 reached its second batch", app -> app.db("acme").getCollection("a_notes").deleteMany(new org.bson.Document()));
            Cli.Result woke = w.result();

            assertThat(woke.exitCode()).as(woke.toString()).isEqualTo(1);
            assertThat(strictJson(woke).get("error").get("message").asText()).as(woke.toString()).contains("lease");
            assertThat(pause.callsAfterIt()).as("inserts made after it woke").isZero();
            JsonNode org = f.org("acme");
            assertThat(org.get("status").asText()).isEqualTo("active");
            f.assertHolds("acme", w.before());
        }
    }

    /**
     * Ctrl-C while a retried call of the load waits out its backoff — a batch's insert, or a collection's create (its
     * indexes and read-back alike): the retry gives up within 100 ms, and the restore must stop as interrupted (exit 130,
     * recorded interrupted), not fail naming the pool (exit 1, run failed) — in a trial load, not say the pool failed and
     * to run the restore again once it answers. Its message and run item name the error the pool answered, as an
     * interrupted backup's row does: "interrupted (while a call the pool failed waited to be retried)" said not what.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"insertMany,false", "insertMany,true", "create,false", "create,true"})
    void aCtrlCDuringARetrysBackoffIsAnInterrupt(String call, boolean inPlace) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String backupId = RestoreInterruptTest.backupOfTwoCollections(f);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            CancelToken cancel = new CancelToken();
            java.util.function.Supplier<RuntimeException> pressedWhileDropped = () -> { // the pool keeps dropping the call
                cancel.cancel("SIGINT");
                return new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
            };
            f.cli.decoratePools(real -> call.equals("insertMany")
                    ? HookedPools.aroundCollectionCall(real, db -> db.startsWith("org_acme__r"), "insertMany", (collection, args, insert) -> {
                        throw pressedWhileDropped.get();
                    })
                    : HookedPools.onCommand(real, (db, command) -> {
                        if (db.startsWith("org_acme__r") && HookedPools.is(command, call)) {
                            throw pressedWhileDropped.get();
                        }
                    }));
            List<String> args = new ArrayList<>(List.of("restore", "--org", "acme", "--backup", backupId));
            if (inPlace) {
                args.addAll(List.of("--in-place", "--drop-existing"));
            }
            Cli.Result r = f.cli.run(cancel, args.toArray(String[]::new));

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            assertThat(r.err()).as(r.toString()).contains("stopped: interrupted").doesNotContain("does not load")
                    .doesNotContain("is not at fault")
                    // what the pool was refusing, as an interrupted backup's row says it: the operator's next question
                    .contains("waited to be retried: ").contains("Prematurely reached end of stream");
            JsonNode org = f.org("acme");
            assertThat(org.get("database_name").asText()).isEqualTo("org_acme");
            assertThat(org.get("status").asText()).isEqualTo("active");
            assertThat(f.databaseNames("pool-0")).noneMatch(n -> n.startsWith("org_acme__r"));
            JsonNode last = strictJson(CliFixture.ok(f.newCli(), "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(last.get("status").asText()).as(last.toString()).isEqualTo("interrupted");
            JsonNode item = strictJson(CliFixture.ok(f.newCli(), "runs", "show", last.get("run_id").asText(), "-o", "json")).get("items").get(0);
            assertThat(item.get("error").asText()).as(item.toString()).contains("Prematurely reached end of stream");
            f.assertHolds("acme", before);
        }
    }

    /**
     * A TTL index is built once every count is checked, after the load's copy: a Ctrl-C that cut its build's backoff short
     * was taken for the pool's failure (exit 1, run failed; in place "the backup is not at fault; run the restore again once
     * the pool answers"), not the interrupt that the same Ctrl-C during any other call of the load is.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aCtrlCDuringTheBackoffOfATtlIndexsBuildIsAnInterrupt(boolean inPlace) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.db("acme").getCollection("notes").createIndex(com.mongodb.client.model.Indexes.ascending("at"),
                    new com.mongodb.client.model.IndexOptions().expireAfter(86_400L, java.util.concurrent.TimeUnit.SECONDS));
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            String backupId = f.backup("acme");
            CancelToken cancel = new CancelToken();
            f.cli.decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.startsWith("org_acme__r") ? db
                    : HookedPools.beforeEach(db, "runCommand", a -> {
                        String command = a[0] instanceof org.bson.conversions.Bson b ? b.toBsonDocument().toJson() : "";
                        if (command.startsWith("{\"createIndexes\"") && command.contains("expireAfterSeconds")) {
                            cancel.cancel("SIGINT"); // the pool keeps dropping the call
                            throw new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
                        }
                    })));
            List<String> args = new ArrayList<>(List.of("restore", "--org", "acme", "--backup", backupId));
            if (inPlace) {
                args.addAll(List.of("--in-place", "--drop-existing"));
            }
            Cli.Result r = f.cli.run(cancel, args.toArray(String[]::new));

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            assertThat(r.err()).as(r.toString()).contains("stopped: interrupted").contains("Prematurely reached end of stream")
                    .doesNotContain("is not at fault");
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo("org_acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(f.databaseNames("pool-0")).noneMatch(n -> n.startsWith("org_acme__r"));
            JsonNode last = strictJson(CliFixture.ok(f.newCli(), "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(last.get("status").asText()).as(last.toString()).isEqualTo("interrupted");
            f.assertHolds("acme", before);
        }
    }

    /**
     * A call of the load the pool fails for good (not retried: a role that may not write) as the Ctrl-C comes cut no
     * backoff short: it was said "stopped: interrupted (while a call the pool failed waited to be retried)", exit 130,
     * hiding a failure that a restore run again meets alike. It is the restore's failure, naming the pool's error (exit 1,
     * run failed), cleaned up as any.
     */
    @Test
    void aCallThePoolFailsForGoodAsCtrlCComesIsTheRestoresFailureNotAnInterrupt() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String backupId = RestoreInterruptTest.backupOfTwoCollections(f);
            CancelToken cancel = new CancelToken();
            f.cli.decoratePools(real -> HookedPools.aroundCollectionCall(real, db -> db.startsWith("org_acme__r"), "insertMany",
                    (collection, args, insert) -> {
                        cancel.cancel("SIGINT");
                        throw HookedPools.commandError(13, "not authorized on the database to execute command insert");
                    }));

            Cli.Result r = f.cli.run(cancel, "restore", "--org", "acme", "--backup", backupId);

            assertThat(cancel.isCancelled()).as(r.toString()).isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).as(r.toString()).contains("not authorized").doesNotContain("interrupted");
            JsonNode org = f.org("acme");
            assertThat(org.get("database_name").asText()).isEqualTo("org_acme");
            assertThat(org.get("status").asText()).isEqualTo("active");
            assertThat(f.databaseNames("pool-0")).noneMatch(n -> n.startsWith("org_acme__r"));
            JsonNode last = strictJson(CliFixture.ok(f.newCli(), "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(last.get("status").asText()).as(last.toString()).isEqualTo("failed");
        }
    }
}
