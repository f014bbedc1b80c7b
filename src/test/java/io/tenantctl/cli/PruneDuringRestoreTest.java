package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: retention must never delete the backup a restore needs. Each case: acme has an old backup (the
 * one chosen to undo a mistake, outside retention) and tonight's newest (with the mistake in it); the nightly
 * {@code backups prune --keep-last 1} runs
 * <ul>
 *   <li>while an in-place restore reads the old backup after it dropped the org's database (its second read);</li>
 *   <li>while a {@code restore --to-org} streams it: that restore holds the new org's lease, not acme's, so acme's
 *       lease alone did not protect the backup;</li>
 *   <li>after an in-place restore failed past its drop: acme is left restoring, told to "re-run the restore", and its
 *       lease was released on exit.</li>
 * </ul>
 * Deleted, the documents as of that backup would exist nowhere any more.
 */
class PruneDuringRestoreTest {

    @TempDir
    Path dir;

    /** acme's old backup and its documents then; a newer backup holds the mistake. */
    private record Scene(String old, Map<String, List<RawBsonDocument>> asOfOld) {
    }

    private static Scene scene(BackupFixture f) {
        f.provision("acme");
        f.notes("acme", "a_notes", 1500);
        f.db("acme").getCollection("b_notes").insertOne(new Document("_id", 1));
        String old = f.backup("acme");
        Map<String, List<RawBsonDocument>> asOfOld = BackupFixture.contents(f.db("acme"));
        f.db("acme").getCollection("a_notes").deleteMany(new Document()); // the mistake the restore is to undo
        f.backup("acme"); // tonight's cron backup: the newest, with the mistake in it
        return new Scene(old, asOfOld);
    }

    private static Cli cron(BackupFixture f) {
        return new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(), "USER", "cron"));
    }

    private static Cli.Result nightlyPrune(Cli cli) {
        return cli.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0");
    }

    private static boolean stillThere(BackupFixture f, String backupId) {
        return f.storeDir.resolve("acme").resolve(backupId).resolve("manifest.json").toFile().exists();
    }

    /** Runs the nightly prune the first time {@code database} creates {@code collection}, as the restore's copy gets there. */
    private static AtomicReference<Cli.Result> pruneWhenCreating(BackupFixture f, String database, String collection) {
        Cli other = cron(f);
        AtomicReference<Cli.Result> prune = new AtomicReference<>();
        f.cli.decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (db.equals(database) && HookedPools.is(cmd, "create") && collection.equals(cmd.getString("create")) && prune.get() == null) {
                prune.set(nightlyPrune(other));
            }
        }));
        return prune;
    }

    @Test
    void pruneNeverDeletesTheBackupAnInPlaceRestoreIsReading() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Scene s = scene(f);
            AtomicReference<Cli.Result> prune = pruneWhenCreating(f, "org_acme", "a_notes");
            Cli.Result r = f.cli.run("restore", "--org", "acme", "--backup", s.old(), "--in-place", "--drop-existing");

            assertThat(prune.get()).isNotNull();
            boolean backupStillThere = stillThere(f, s.old());
            assertThat(r.exitCode()).as("restore: %s%nprune: %s", r, prune.get()).isZero();
            assertThat(backupStillThere).as("the backup being restored was pruned: %s", prune.get()).isTrue();
            f.assertHolds("acme", s.asOfOld());
            assertThat(prune.get().exitCode()).as(prune.get().toString()).isZero();
            assertThat(prune.get().out()).as("the prune says why it kept it").contains("needed: restore run");

            Cli.Result later = nightlyPrune(cron(f));
            assertThat(later.exitCode()).as(later.toString()).isZero();
            assertThat(stillThere(f, s.old())).as("pruned once the restore was done").isFalse();
        }
    }

    @Test
    void pruneNeverDeletesTheBackupARestoreToAnotherOrgIsReading() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Scene s = scene(f);
            AtomicReference<Cli.Result> prune = pruneWhenCreating(f, "org_acme_old", "b_notes");
            Cli.Result r = f.cli.run("restore", "--org", "acme", "--backup", s.old(), "--to-org", "acme-old");

            assertThat(prune.get()).as("the restore got as far as its second collection").isNotNull();
            boolean backupStillThere = stillThere(f, s.old());
            assertThat(r.exitCode()).as("restore: %s%nprune: %s", r, prune.get()).isZero();
            assertThat(backupStillThere).as("the backup being restored was pruned: %s", prune.get()).isTrue();
            f.assertHolds("acme-old", s.asOfOld());
            assertThat(prune.get().exitCode()).as(prune.get().toString()).isZero();
        }
    }

    @Test
    void pruneKeepsTheBackupAnUnfinishedInPlaceRestoreNeedsToBeReRun() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Scene s = scene(f);
            // the in-place restore of the old backup fails after the drop (the pool refuses one create): acme stays restoring
            Cli failing = cron(f).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (db.equals("org_acme") && HookedPools.is(cmd, "create") && "b_notes".equals(cmd.getString("create"))) {
                    throw HookedPools.commandError(13, "not authorized");
                }
            }));
            Cli.Result inPlace = failing.run("restore", "--org", "acme", "--backup", s.old(), "--in-place", "--drop-existing");
            assertThat(inPlace.exitCode()).as(inPlace.toString()).isEqualTo(1);
            String rerun = "tenantctl restore --org acme --backup " + s.old() + " --in-place --drop-existing";
            assertThat(inPlace.err()).as("the restore that finishes it, not a plain one (the newest backup, a fresh database)")
                    .contains("re-run the restore: " + rerun);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");
            assertThat(f.org("acme").path("next").asText()).as("orgs show names it too").isEqualTo(rerun);

            // the nightly prune runs before the operator gets to re-run it
            Cli.Result prune = nightlyPrune(f.cli);
            assertThat(prune.exitCode()).as(prune.toString()).isZero();
            assertThat(stillThere(f, s.old())).as("the backup an unfinished in-place restore needs was pruned: %s", prune).isTrue();

            // re-run the restore, as the failure said
            Cli.Result again = f.cli.run(rerun.substring("tenantctl ".length()).split(" "));
            assertThat(again.exitCode()).as(again.toString()).isZero();
            f.assertHolds("acme", s.asOfOld());
            ok(f.cli, "backups", "list", "--org", "acme");
        }
    }

    /**
     * Found by the on-call audit: a restore killed (kill -9, a second Ctrl-C) leaves its run recorded running, its worker
     * gone — 'runs show' says abandoned — and prune kept the backup it read "needed: restore run R (in progress) reads
     * it". Still kept (re-running that restore needs it), now said as what it is: abandoned, and where the way on is.
     */
    @Test
    void pruneSaysARestoreWhoseWorkerIsGoneIsAbandonedNotInProgress() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String old = f.backup("acme");
            f.backup("acme");
            String run = "20261207T000000Z-dead";
            CliFixture.sql(f.catalogUrl, "insert into runs (run_id, verb, args, status, actor, heartbeat_at) values ('" + run + "', 'restore', "
                    + "'{\"org\": \"acme\", \"backup\": \"" + old + "\", \"mode\": \"fresh\"}', 'running', 'test', now() - interval '5 minutes')");

            com.fasterxml.jackson.databind.JsonNode decided = CliFixture.strictJson(ok(f.cli, "backups", "prune", "--keep-last", "1",
                    "--keep-daily", "0", "-o", "json"));
            com.fasterxml.jackson.databind.JsonNode kept = decided.get("decisions").findParents("backup_id").stream()
                    .filter(d -> d.get("backup_id").asText().equals(old)).findFirst().orElseThrow();
            assertThat(kept.get("action").asText()).as(decided.toString()).isEqualTo("keep");
            assertThat(kept.get("reason").asText()).as(decided.toString()).contains("restore run " + run).contains("abandoned")
                    .contains("tenantctl runs show " + run).doesNotContain("in progress");
        }
    }
}
