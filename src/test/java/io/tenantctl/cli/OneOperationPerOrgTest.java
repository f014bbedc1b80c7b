package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One operation per org at a time, with real overlapping commands: a restore is held mid-way (its first create of a collection
 * waits) while a second command on the same org runs. The second is refused naming the restore, and the restore then
 * finishes with nothing lost.
 */
class OneOperationPerOrgTest {

    /** A fleet whose first create of a collection on a restore's target waits until released; {@code reached} opens when it waits. */
    private record Held(BackupFixture f, Cli cli, AtomicBoolean armed, CountDownLatch reached, CountDownLatch release) {
    }

    private static Held fleet(Path dir) {
        BackupFixture f = new BackupFixture(1, dir);
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean(false);
        Cli cli = f.cli.decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (HookedPools.is(cmd, "create") && db.startsWith("org_acme") && armed.compareAndSet(true, false)) {
                reached.countDown();
                try {
                    assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }));
        return new Held(f, cli, armed, reached, release);
    }

    /**
     * acme seeded and backed up, {@code afterBackup} done to it, then a restore of that backup ({@code extra} args)
     * started and held at its first create.
     */
    private record FirstRestore(String backupId, Map<String, List<RawBsonDocument>> backedUp, CompletableFuture<Cli.Result> result) {
    }

    private static FirstRestore holdARestore(Held h, java.util.function.Consumer<BackupFixture> afterBackup, String... extra)
            throws InterruptedException {
        seed(h.f());
        String backupId = h.f().backup("acme");
        Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(h.f().db("acme"));
        afterBackup.accept(h.f());
        h.armed().set(true); // the next create on acme's databases (the restore's) waits
        List<String> args = new java.util.ArrayList<>(List.of("restore", "--org", "acme", "--backup", backupId));
        args.addAll(List.of(extra));
        CompletableFuture<Cli.Result> result = h.cli().start(args.toArray(String[]::new));
        assertThat(h.reached().await(60, TimeUnit.SECONDS)).as("the restore reached its copy").isTrue();
        return new FirstRestore(backupId, backedUp, result);
    }

    private static void seed(BackupFixture f) {
        f.provision("acme");
        for (int i = 0; i < 50; i++) {
            f.db("acme").getCollection("notes").insertOne(new Document("_id", i).append("text", "note " + i));
        }
    }

    @Test
    void twoRestoresOfOneOrgAtOnce_theSecondIsRefusedAndTheFirstFinishes(@TempDir Path dir) throws Exception {
        Held h = fleet(dir);
        try (BackupFixture f = h.f()) {
            FirstRestore r = holdARestore(h, fx -> fx.db("acme").getCollection("notes")
                    .insertOne(new Document("_id", 999).append("text", "after the backup")));
            String backupId = r.backupId();
            Map<String, List<RawBsonDocument>> backedUp = r.backedUp();
            CompletableFuture<Cli.Result> first = r.result();

            Cli.Result second = h.cli().run("restore", "--org", "acme", "--backup", backupId, "-o", "json");
            assertThat(second.exitCode()).as(second.toString()).isEqualTo(3);
            assertThat(strictJson(second).get("error").get("message").asText()).contains("org acme is busy: restore by").contains("--wait");

            h.release().countDown();
            Cli.Result done = first.get(60, TimeUnit.SECONDS);
            assertThat(done.exitCode()).as(done.toString()).isZero();
            f.assertHolds("acme", backedUp);
            assertThat(f.databaseNames("pool-0").stream().filter(n -> n.startsWith("org_acme__r")).count())
                    .as("one restored database, none left half-made").isEqualTo(1);
        }
    }

    @Test
    void aBackupDuringAnInPlaceRestoreIsRefusedNamingTheRestoreAndWorksAfterIt(@TempDir Path dir) throws Exception {
        Held h = fleet(dir);
        try (BackupFixture f = h.f()) {
            FirstRestore r = holdARestore(h, fx -> { }, "--in-place", "--drop-existing");
            Map<String, List<RawBsonDocument>> backedUp = r.backedUp();
            CompletableFuture<Cli.Result> restore = r.result();

            Cli.Result backup = h.cli().run("backup", "--org", "acme", "--busy-timeout", "1", "-o", "json");
            assertThat(backup.exitCode()).as(backup.toString()).isEqualTo(1);
            JsonNode failed = strictJson(backup).get("failed").get(0);
            // refused by the org's status (restoring) or, had it raced the claim, by the restore's lease: either way, named
            assertThat(failed.get("error").asText()).containsAnyOf("org is restoring", "org acme is busy: restore by");

            h.release().countDown();
            assertThat(restore.get(60, TimeUnit.SECONDS).exitCode()).isZero();
            f.assertHolds("acme", backedUp);
            assertThat(strictJson(ok(h.cli(), "backup", "--org", "acme", "-o", "json")).get("counts").get("backed_up").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aRestoreThatWaitedForAnotherDecidesItsTargetAfterTheWait_soTheDatabaseTheFirstMadeIsKept(@TempDir Path dir) throws Exception {
        Held h = fleet(dir);
        try (BackupFixture f = h.f()) {
            FirstRestore r = holdARestore(h, fx -> { }, "-o", "json");
            String backupId = r.backupId();
            Map<String, List<RawBsonDocument>> backedUp = r.backedUp();
            CompletableFuture<Cli.Result> first = r.result();
            // the same restore again, run by someone who passes --wait: it waits for the first, then restores
            CompletableFuture<Void> waiting = new CompletableFuture<>();
            CompletableFuture<Cli.Result> second = h.cli().start(new io.tenantctl.fanout.CancelToken(), text -> {
                if (text.contains("waiting (--wait): org acme is busy: restore by")) {
                    waiting.complete(null);
                }
            }, "restore", "--org", "acme", "--backup", backupId, "--wait", "-o", "json");
            // either it says it waits, or it ended without waiting (then its result is the failure's message)
            CompletableFuture.anyOf(waiting, second).get(60, TimeUnit.SECONDS);
            assertThat(waiting).as(() -> "the second restore says it waits for the first; it ended with " + second.getNow(null)).isDone();

            h.release().countDown();
            Cli.Result one = first.get(60, TimeUnit.SECONDS);
            Cli.Result two = second.get(60, TimeUnit.SECONDS);
            assertThat(one.exitCode()).as(one.toString()).isZero();
            assertThat(two.exitCode()).as(two.toString()).isZero();
            String firstDb = strictJson(one).get("database_name").asText();
            JsonNode secondResult = strictJson(two);
            // decided after the wait: the org pointed at the first restore's database, which the second must keep, not overwrite
            assertThat(secondResult.get("previous_database").asText()).isEqualTo(firstDb);
            assertThat(secondResult.get("database_name").asText()).isNotEqualTo(firstDb);
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo(secondResult.get("database_name").asText());
            assertThat(f.databaseNames("pool-0")).contains(firstDb);
            JsonNode gc = strictJson(ok(h.cli(), "rebalance", "gc", "--dry-run", "--older-than", "0", "-o", "json"));
            assertThat(gc.get("items").findValuesAsText("database_name")).as("both replaced databases are kept until gc")
                    .contains("org_acme", firstDb);
            f.assertHolds("acme", backedUp);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }
}
