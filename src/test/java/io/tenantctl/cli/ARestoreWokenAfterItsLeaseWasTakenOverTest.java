package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper reading the code while pausing workers: a restore paused (kill -STOP) while it copies, past its
 * lease; the next command rolls it back (its partial database dropped, the org's status put back); a takeover restore of
 * the same backup takes the SAME fresh name. The paused restore wakes: its copy never looked at its lease between batches,
 * so it wrote into the takeover's database, and on the duplicate key its clean-up saw no org pointing at the name yet and
 * dropped it — the takeover's database, which the takeover then flipped the org to. Here the pauses are latches inside
 * the restores' calls, the lease expired by SQL; no sleeps.
 */
@Timeout(120)
class ARestoreWokenAfterItsLeaseWasTakenOverTest {

    @TempDir
    Path dir;

    /**
     * The first restore is held in its second batch of a_notes, the takeover before it creates b_notes (a_notes done); the
     * first is woken (its batch in flight meets the takeover's a_notes) and held again at the drop its clean-up makes,
     * the takeover finishes and flips, then the first is let go: it dropped the org's live database.
     */
    @Test
    void theWokenRestoreDropsNeitherTheTakeoversDatabaseNorTheOrgsStatus() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String backupId = RestoreInterruptTest.backupOfTwoCollections(f); // acme: 1,500 in a_notes, 10 in b_notes
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));

            AtomicBoolean woken = new AtomicBoolean();
            AtomicReference<String> firstDb = new AtomicReference<>();
            AtomicReference<String> secondDb = new AtomicReference<>();
            try (Pause inserting = Pause.at(2); Pause dropping = Pause.at(1); Pause creating = Pause.at(1)) {
                Cli first = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) ->
                        !name.startsWith("org_acme__r") ? db : HookedPools.beforeEach(
                                HookedPools.aroundCollectionCall(db, "insertMany", (collection, args, insert) -> {
                                    if (collection.equals("a_notes")) {
                                        firstDb.set(name); // the one it is stopped in, once stopped
                                        inserting.call();
                                    }
                                    return insert.get();
                                }), "drop", () -> {
                                    if (woken.get()) {
                                        dropping.call();
                                    }
                                })));
                CompletableFuture<Cli.Result> r1 = first.start("restore", "--org", "acme", "--backup", backupId, "-o", "json");
                inserting.awaitPaused("restore #1 reached its second batch");
                // a minute without its heartbeat: its lease runs out
                f.expireLeases();

                Cli second = f.newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                    if (db.startsWith("org_acme__r") && HookedPools.is(cmd, "create") && "b_notes".equals(cmd.getString("create"))
                            && secondDb.compareAndSet(null, db)) {
                        creating.call();
                    }
                }));
                CompletableFuture<Cli.Result> r2 = second.start("restore", "--org", "acme", "--backup", backupId, "-o", "json");
                creating.awaitPaused("the takeover filled a_notes");
                assertThat(secondDb.get()).as("the takeover took the dead restore's name").isEqualTo(firstDb.get());

                woken.set(true);
                inserting.wake(); // kill -CONT
                CompletableFuture.anyOf(r1, dropping.paused()).get(60, TimeUnit.SECONDS);
                creating.wake();
                Cli.Result takeover = r2.get(60, TimeUnit.SECONDS);
                dropping.wake();
                Cli.Result woke = r1.get(60, TimeUnit.SECONDS);

                assertThat(takeover.exitCode()).as(takeover.toString()).isZero();
                JsonNode org = f.org("acme");
                assertThat(org.get("database_name").asText()).isEqualTo(secondDb.get());
                assertThat(org.get("status").asText()).isEqualTo("active");
                assertThat(f.databaseNames("pool-0")).as("the org's live database (restore #1 said: %s)", woke.out())
                        .contains(secondDb.get());
                f.assertHolds("acme", backedUp);
                assertThat(woke.exitCode()).as(woke.toString()).isEqualTo(1);
                assertThat(strictJson(woke).get("error").get("message").asText()).as(woke.toString()).contains("lease")
                        .doesNotContain("was removed");
            }
        }
    }

    /**
     * In place: the first restore is held in its second batch of a_notes in the org's own database (dropped, being
     * refilled), its lease runs out, a takeover in-place restore finishes and the application writes to the active org; then
     * the first wakes. It must write nothing more and say it lost the org, not that the org's database "WAS DROPPED" and to
     * re-run the restore with --drop-existing (which would drop everything written since the takeover).
     */
    @Test
    void aWokenInPlaceRestoreAdvisesNothingDestructive() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String backupId = RestoreInterruptTest.backupOfTwoCollections(f);
            String database = f.org("acme").get("database_name").asText();
            Pause pause = Pause.at(2);
            Cli first = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real, database::equals, "insertMany",
                    pause.on("a_notes")));
            Woken w = inPlaceWokenAfterATakeover(f, backupId, first, pause, "restore #1 reached its second batch", app -> {
                assertThat(app.org("acme").get("status").asText()).isEqualTo("active");
                // the application writes to the org, active again
                app.db("acme").getCollection("b_notes").deleteMany(new org.bson.Document());
                app.db("acme").getCollection("a_notes").insertOne(new org.bson.Document("_id", "written after the takeover"));
            });
            Cli.Result woke = w.result();

            assertThat(woke.exitCode()).as(woke.toString()).isEqualTo(1);
            String message = strictJson(woke).get("error").get("message").asText();
            assertThat(message).as(woke.toString()).contains("lease").doesNotContain("WAS DROPPED").doesNotContain("--drop-existing")
                    .doesNotContain("re-run the restore").doesNotContain("stays restoring");
            JsonNode org = f.org("acme");
            assertThat(org.get("status").asText()).isEqualTo("active");
            assertThat(org.get("database_name").asText()).isEqualTo(database);
            f.assertHolds("acme", w.before()); // its batch in flight met the takeover's documents; nothing else was written
        }
    }

    /**
     * Paused after its trial load, before it drops the org's database (here: while it drops the trial's scratch database),
     * woken after a takeover restored the org and the application wrote to it: it dropped the org's live database.
     */
    @Test
    void aWokenInPlaceRestoreDoesNotDropTheLiveDatabaseAfterItsTrial() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String backupId = RestoreInterruptTest.backupOfTwoCollections(f);
            String database = f.org("acme").get("database_name").asText();
            Pause pause = Pause.at(2);
            // the trial's scratch database is dropped before the trial and after it: held at the second
            Cli first = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.startsWith("org_acme__r") ? db
                    : HookedPools.beforeEach(db, "drop", pause::call)));
            Woken w = inPlaceWokenAfterATakeover(f, backupId, first, pause, "restore #1 finished its trial", app ->
                    app.db("acme").getCollection("a_notes").insertOne(new org.bson.Document("_id", "written after the takeover")));
            Cli.Result woke = w.result();

            assertThat(woke.exitCode()).as(woke.toString()).isEqualTo(1);
            assertThat(strictJson(woke).get("error").get("message").asText()).as(woke.toString()).contains("lease");
            JsonNode org = f.org("acme");
            assertThat(org.get("status").asText()).isEqualTo("active");
            assertThat(org.get("database_name").asText()).isEqualTo(database);
            f.assertHolds("acme", w.before());
        }
    }

    /** An in-place restore woken after a takeover: its command's result, and the org's contents when it was woken. */
    record Woken(Cli.Result result, Map<String, List<RawBsonDocument>> before) {
    }

    /**
     * Restores acme in place from {@code backupId} on {@code first}, whose pools hold it at {@code pause} ({@code where}:
     * what it reached); meanwhile its lease runs out, a takeover in-place restore of the same backup finishes and
     * {@code app} writes to the org, active again; then the first is woken (kill -CONT), and its command ends.
     */
    static Woken inPlaceWokenAfterATakeover(BackupFixture f, String backupId, Cli first, Pause pause, String where,
                                            Consumer<BackupFixture> app) throws Exception {
        CompletableFuture<Cli.Result> r1 = first.start("restore", "--org", "acme", "--backup", backupId, "--in-place",
                "--drop-existing", "-o", "json");
        try (pause) {
            pause.awaitPaused(where);
            f.expireLeases();
            Cli.Result takeover = f.cli.run("restore", "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing",
                    "-o", "json");
            assertThat(takeover.exitCode()).as(takeover.toString()).isZero();
            app.accept(f);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            pause.wake();
            return new Woken(r1.get(60, TimeUnit.SECONDS), before);
        }
    }

    /** A finished collection of the target dropped before the flip: the org was flipped to a database without it. */
    @Test
    void aFinishedCollectionMissingFromTheTargetIsNotFlippedTo() {
        flipRefused(db -> db.getCollection("a_notes").drop(), "a_notes", "is missing");
    }

    /** A finished collection of the target emptied in part before the flip: the org was flipped to a short database. */
    @Test
    void aFinishedCollectionShortInTheTargetIsNotFlippedTo() {
        flipRefused(db -> db.getCollection("a_notes").deleteMany(Filters.gte("_id", 1000)), "a_notes", "has 1000 documents");
    }

    /**
     * As a woken restore's drop (or anyone's) would: {@code damage} done to the target's finished a_notes when the restore
     * creates b_notes. The restore must count every collection against its backup before its flip and refuse.
     */
    private void flipRefused(Consumer<MongoDatabase> damage, String collection, String says) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String backupId = RestoreInterruptTest.backupOfTwoCollections(f);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            String database = f.org("acme").get("database_name").asText();
            Cli restore = f.newCli().decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (db.startsWith("org_acme__r") && HookedPools.is(cmd, "create") && "b_notes".equals(cmd.getString("create"))) {
                    damage.accept(f.database("pool-0", db));
                }
            }));
            Cli.Result r = restore.run("restore", "--org", "acme", "--backup", backupId, "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString()).contains(collection).contains(says)
                    .contains("the backup has 1500").contains("tenantctl restore --org acme --backup " + backupId);
            JsonNode org = f.org("acme");
            assertThat(org.get("database_name").asText()).as(r.toString()).isEqualTo(database);
            assertThat(org.get("status").asText()).isEqualTo("active");
            f.assertHolds("acme", before);
        }
    }
}
