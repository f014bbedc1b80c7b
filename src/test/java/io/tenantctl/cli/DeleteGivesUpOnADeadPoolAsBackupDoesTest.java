package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.ServerAddress;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found timing a slow test: {@code orgs delete} (and its dry run) read the org's database with every read retried, a
 * timeout too, so on a pool that does not answer it waited out the connect timeout six times (≈ 8 s under a 1 s timeout,
 * ≈ 20 s under the 3 s default) where {@code backup --org} of the same org on the same dead pool pings it once and gives
 * up. Each look at a dead pool costs the operator one connect timeout: the delete now looks as often as the backup does,
 * and a pool that answers but refuses one read is still asked again.
 */
class DeleteGivesUpOnADeadPoolAsBackupDoesTest {

    @TempDir
    Path dir;

    /** A CLI on the fleet counting in {@code looks} every try to reach a pool: its pings, commands and collection listings. */
    private static Cli counting(BackupFixture f, AtomicInteger looks) {
        return f.newCli().quickToGiveUpOnDeadPools().decoratePools(real -> HookedPools.onCommand(
                HookedPools.onDatabase(real, (name, db) -> HookedPools.beforeEach(db, "listCollectionNames", looks::incrementAndGet)),
                (db, cmd) -> looks.incrementAndGet(), looks::incrementAndGet));
    }

    @Test
    void aDeleteAndItsDryRunLookAtADeadPoolNoMoreOftenThanABackupDoes() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.pools.kill(0);

            AtomicInteger backupLooks = new AtomicInteger();
            Cli.Result backup = counting(f, backupLooks).run("backup", "--org", "acme");
            assertThat(backup.exitCode()).as(backup.toString()).isEqualTo(1);
            assertThat(backupLooks.get()).as("the backup looked at the dead pool: %s", backup).isPositive();

            for (String[] args : new String[][]{{"orgs", "delete", "acme"}, {"orgs", "delete", "acme", "--dry-run"}}) {
                AtomicInteger looks = new AtomicInteger();
                Cli.Result r = counting(f, looks).run(args);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.err()).as(r.toString()).contains("final backup of org acme").contains("pool pool-0 does not answer: ")
                        .contains("nothing deleted");
                assertThat(looks.get()).as("%s waits out as many connect timeouts as the backup (%s): %s", String.join(" ", args),
                        backupLooks.get(), r).isLessThanOrEqualTo(backupLooks.get());
            }
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    @Test
    void aDeleteWhoseFirstReadIsRefusedOnceAsksAgainAndDeletes() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            AtomicInteger refused = new AtomicInteger();
            Cli once = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme") ? db
                    : HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        if (refused.getAndIncrement() == 0) {
                            throw new MongoSocketOpenException("Exception opening socket", new ServerAddress());
                        }
                    })));

            Cli.Result r = once.run("orgs", "delete", "acme", "-o", "json");

            assertThat(refused.get()).as("its first read was refused: %s", r).isGreaterThan(1);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(strictJson(r).get("status").asText()).isEqualTo("deleting");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
        }
    }

    /**
     * Found by the 3 a.m. audit: a pool that answered the delete's first read and fell silent during its final backup
     * exited 1 ("some orgs failed"), with the backup's own line ("final backup of org acme failed (run R): backup B
     * abandoned: Exception opening socket …; nothing deleted …; run the delete again"), where its silence before that
     * read is exit 3 naming the pool and saying to wait for it. Wherever it falls silent, the delete says it alike: exit 3,
     * one line, the pool named and looked at first, nothing deleted, the org's data and row as they were.
     */
    @Test
    void aPoolThatFallsSilentDuringTheFinalBackupIsNamedAsBeforeIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            var documents = BackupFixture.contents(f.db("acme"));
            JsonNode row = f.org("acme");
            AtomicBoolean silent = new AtomicBoolean();
            // the delete's first read (a filtered find) passes; the backup's read of notes (a whole find) finds the pool gone
            Cli cli = f.newCli().decoratePools(real -> HookedPools.beforeWholeFind(HookedPools.silentWhile(real, "pool-0", silent::get),
                    "org_acme", "notes", () -> silent.set(true)));

            Cli.Result r = cli.run("orgs", "delete", "acme");
            silent.set(false);
            Cli.Result json = cli.run("orgs", "delete", "acme", "-o", "json");
            silent.set(false);

            for (Cli.Result each : List.of(r, json)) {
                assertThat(each.exitCode()).as(each.toString()).isEqualTo(3);
            }
            assertThat(r.err().strip().lines()).as("one line: %s", r).hasSize(1);
            assertThat(r.err()).as(r.toString()).startsWith("error: final backup of org acme failed (run ")
                    .contains("): pool pool-0 does not answer: ").contains("Exception opening socket")
                    .contains(" — see 'tenantctl pools stats pool-0'; nothing deleted; the org is active again")
                    .endsWith("; once it answers, run the delete again\n").doesNotContain("abandoned");
            assertThat(strictJson(json).get("error").get("message").asText()).as(json.toString())
                    .contains("pool pool-0 does not answer: ").endsWith("; once it answers, run the delete again");
            f.assertHolds("acme", documents); // active, its schema, every document as it was
            JsonNode now = f.org("acme");
            for (String field : List.of("status", "pool_id", "database_name", "schema_hash", "tier")) {
                assertThat(now.get(field)).as(field).isEqualTo(row.get(field));
            }
        }
    }

    /**
     * Found next: a final backup that failed on a pool that answers (here its read of a collection refused) said what
     * failed and that nothing was deleted, and there it stopped ("…; nothing deleted; the org is active again"), where
     * the delete's other failures end with what to do. It stays exit 1, one line, now ending with the way on.
     */
    @Test
    void aFinalBackupRefusedByAPoolThatAnswersSaysWhatToDo() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            var documents = BackupFixture.contents(f.db("acme"));
            Cli cli = f.newCli().decoratePools(real -> HookedPools.beforeWholeFind(real, "org_acme", "notes", () -> {
                throw HookedPools.commandError(13, "not authorized on org_acme to execute command { find: \"notes\" } (test)");
            }));

            Cli.Result r = cli.run("orgs", "delete", "acme");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err().strip().lines()).as("one line: %s", r).hasSize(1);
            assertThat(r.err()).as(r.toString()).startsWith("error: final backup of org acme failed (run ").contains("not authorized on org_acme")
                    .endsWith("; nothing deleted; the org is active again; once that is put right, run the delete again\n");
            f.assertHolds("acme", documents);
            // its backup run is ended: runs list offers no --resume backing the org up marked a delete's
            String listed = CliFixture.ok(cli, "runs", "list").out();
            assertThat(listed).as(listed).containsPattern("backup +cancelled").doesNotContain("--resume");
        }
    }
}
