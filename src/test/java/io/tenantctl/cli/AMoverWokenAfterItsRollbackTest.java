package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a 'rebalance move' paused (kill -STOP) while it copied its last collection, past its lease;
 * 'rebalance resume' rolled the move back (target dropped, the org active on its source); then the mover woke up. Here the
 * pause is a latch inside one of the mover's inserts into the target's {@code users}, the lease expired by SQL.
 */
@Timeout(120)
class AMoverWokenAfterItsRollbackTest {

    /** Users in acme's last collection: four insert batches of 1,000. */
    private static final int USERS = 4000;

    @TempDir
    Path dir;

    /**
     * Woken in its last batch: it passed every check of its move before it was paused, so it went on to freeze the org —
     * read_only after the rollback made it active, and nothing set it back ("orgs show": read_only, held by nobody).
     */
    @Test
    void theWokenMoverLeavesTheOrgActive() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            Woken w = moveWokenAfterItsRollback(f, 4);
            assertThat(w.resume.out()).as(w.resume.toString()).contains("rolled back");
            assertThat(w.move.exitCode()).as(w.move.toString()).isEqualTo(1);
            assertThat(f.org("acme").get("status").asText()).as("after the woken mover: %s", w.move).isEqualTo("active");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(f.db("acme").getCollection("users").countDocuments()).isEqualTo(USERS);
        }
    }

    /**
     * The woken mover's failure is the one the rollback recorded in its run; its next step was "pools stats pool-0 (the
     * move of org acme did not start …)": pool-0 answers, and the move did start. It names the move, ended by another
     * process that rolled it back.
     */
    @Test
    void theWokenMoverSaysItsMoveWasRolledBackByAnotherProcess() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            Woken w = moveWokenAfterItsRollback(f, 4);
            assertThat(w.move.exitCode()).as(w.move.toString()).isEqualTo(1);
            String moveId = strictJson(ok(f.cli, "rebalance", "status", "-o", "json")).get(0).get("move_id").asText();
            JsonNode failed = failed(w.move);
            assertThat(failed.get("error").asText()).as(w.move.toString()).contains(moveId).contains("rolled back");
            assertThat(failed.get("next_step").asText()).as(w.move.toString()).isEqualTo("tenantctl rebalance status " + moveId);
            assertThat(failed.get("next_note").asText()).as(w.move.toString()).contains("ended by another process")
                    .contains("rolled back").contains("tenantctl rebalance move acme --to pool-1").doesNotContain("did not start");
        }
    }

    /**
     * Woken in its second batch of users: it checked its move only before each collection, so it wrote that batch and the
     * two after it into the target the rollback had dropped (3,000 users). It checks before each batch: only the batch it
     * had in flight lands.
     */
    @Test
    void theWokenMoverWritesNoBatchAfterTheOneInFlight() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            Woken w = moveWokenAfterItsRollback(f, 2);
            assertThat(w.move.exitCode()).as(w.move.toString()).isEqualTo(1);
            assertThat(failed(w.move).get("error").asText()).as(w.move.toString()).contains("rolled back");
            assertThat(f.database("pool-1", "org_acme").getCollection("users").countDocuments())
                    .as("users written into the dropped target after the rollback: %s", w.move).isEqualTo(1000);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /**
     * The batch in flight recreated the target the rollback dropped; the move still said its target was dropped, so gc
     * (and its dry run) left it — "would drop 0 databases" — and verify called it a stray_copy "no move or restore
     * recorded", to be dropped by hand. It is the aborted move's leftover: gc drops it, verify names the move and gc.
     */
    @Test
    void theTargetTheBatchInFlightRecreatedIsTheMovesLeftoverForGc() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            Woken w = moveWokenAfterItsRollback(f, 4);
            assertThat(w.move.exitCode()).as(w.move.toString()).isEqualTo(1);
            String moveId = strictJson(ok(f.cli, "rebalance", "status", "-o", "json")).get(0).get("move_id").asText();
            assertThat(f.databaseNames("pool-1")).as("the batch in flight landed").contains("org_acme");

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(CliFixture.findings(strictJson(v), "stray_copy")).as(v.toString()).isEmpty();
            assertThat(CliFixture.findings(strictJson(v), "move_leftover")).as(v.toString()).singleElement().satisfies(x -> {
                assertThat(x.get("pool_id").asText()).isEqualTo("pool-1");
                assertThat(x.get("detail").asText()).contains(moveId);
                assertThat(x.get("fix").asText()).isEqualTo("tenantctl rebalance gc");
            });

            Cli.Result dry = ok(f.cli, "rebalance", "gc", "--dry-run", "-o", "json");
            assertThat(strictJson(dry).get("items")).as(dry.toString()).singleElement().satisfies(i -> {
                assertThat(i.get("pool_id").asText()).isEqualTo("pool-1");
                assertThat(i.get("database_name").asText()).isEqualTo("org_acme");
                assertThat(i.get("kind").asText()).isEqualTo("aborted_target");
                assertThat(i.get("action").asText()).isEqualTo("would_drop");
            });
            assertThat(f.databaseNames("pool-1")).as("a dry run").contains("org_acme");

            Cli.Result gc = ok(f.cli, "rebalance", "gc", "-o", "json");
            assertThat(strictJson(gc).get("items").get(0).get("action").asText()).as(gc.toString()).isEqualTo("dropped");
            assertThat(f.databaseNames("pool-1")).doesNotContain("org_acme");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(f.db("acme").getCollection("users").countDocuments()).isEqualTo(USERS);
            assertThat(strictJson(ok(f.cli, "rebalance", "gc", "--dry-run", "-o", "json")).get("items")).as("nothing left").isEmpty();
        }
    }

    record Woken(Cli.Result resume, Cli.Result move) {
    }

    /**
     * Moves acme (notes, then {@value USERS} users) from pool-0 to pool-1, holding the mover inside its {@code batch}th
     * insert into the target's users; meanwhile its lease (and its run item's claim) runs out and 'rebalance resume' rolls
     * the move back; then the mover is let go, and its command ends.
     */
    static Woken moveWokenAfterItsRollback(BackupFixture f, int batch) {
        acmeWithUsers(f);
        Pause pause = Pause.at(batch);
        Cli mover = f.newCli().decoratePools(real -> HookedPools.databases(real, (poolId, uri, name) -> {
            MongoDatabase db = real.database(poolId, uri, name);
            return !poolId.equals("pool-1") || !name.equals("org_acme") ? db
                    : HookedPools.aroundCollectionCall(db, "insertMany", pause.on("users"));
        }));
        return rolledBackWhilePaused(f, mover, pause, "the mover reached its insert");
    }

    /** Acme: 5 notes, then {@value USERS} users (four insert batches of a move's copy). */
    static void acmeWithUsers(BackupFixture f) {
        f.provision("acme");
        f.notes("acme", "notes", 5);
        List<Document> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            users.add(new Document("_id", i).append("email", "u" + i + "@acme.test"));
        }
        f.db("acme").getCollection("users").insertMany(users);
    }

    /**
     * Moves acme to pool-1 on {@code mover}, whose pools hold it at {@code pause} ({@code where}: what it reached); meanwhile
     * its lease and its run item's claim run out (what 60 s without its heartbeat does) and 'rebalance resume' rolls the
     * move back; then the mover is woken (kill -CONT), and its command ends.
     */
    static Woken rolledBackWhilePaused(BackupFixture f, Cli mover, Pause pause, String where) {
        CompletableFuture<Cli.Result> move = mover.start("rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0",
                "-o", "json");
        try (pause) {
            pause.awaitPaused(where);
            f.expireLeases();
            f.expireItemClaims();
            Cli.Result resume = f.cli.run("rebalance", "resume");
            // its rollback ended the move's run failed: exit 1, naming the org not moved and its next step
            assertThat(resume.exitCode()).as(resume.toString()).isEqualTo(1);
            assertThat(resume.err()).as(resume.toString()).contains("ended failed: org acme was not moved — next: tenantctl rebalance status");
            assertThat(f.databaseNames("pool-1")).as("the rollback dropped the target: %s", resume).doesNotContain("org_acme");
            pause.wake();
            return new Woken(resume, move.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode failed(Cli.Result r) {
        return strictJson(r).get("failed").get(0);
    }
}
