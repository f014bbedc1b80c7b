package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming placement: {@code restore --target-pool P} of an existing org checks once, before its copy, that P is
 * active and has a free place — but reserves nothing (no row, no move) and its flip checks neither again. Fill-then-spill
 * does not count the restore, so a {@code provision} (or a move, or another restore) during the copy takes that last place,
 * and the flip then puts the org on P as well: P holds more orgs than its capacity, which placement promises never
 * happens ("decided under a lock so two provisioners can never overfill a pool"); {@code verify} reports
 * {@code pool_over_capacity}. The same window lets a {@code pools drain P} during the copy be ignored: the org lands on a
 * draining pool.
 *
 * <p>Either outcome is fine: the restore's place is reserved (the provision spills elsewhere or fails "no capacity"), or
 * the flip is refused (exit 1, the org left where it was). Never a pool past its capacity, never data lost.
 */
class RestoreToAnotherPoolOverfillsItTest {

    @Test
    void aProvisionDuringARestoreToAnotherPoolNeverPutsThatPoolPastItsCapacity(@TempDir Path dir) throws Exception {
        // pool-0 and pool-1, one place each: acme fills pool-0, pool-1 is empty
        try (BackupFixture f = new BackupFixture(2, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 1)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String backupId = f.backup("acme");
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));

            // the on-call restores acme into a fresh database on pool-1 (pool-0 misbehaving, say); it is held mid-copy
            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.startsWith("org_acme__r"));
            CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme", "--backup", backupId,
                    "--target-pool", "pool-1", "-o", "json");
            assertThat(held.awaitReached()).as("the restore reached its copy").isTrue();

            // meanwhile the signup pipeline provisions a new org: fill-then-spill sees pool-0 full, pool-1 "empty"
            Cli.Result provision = f.cli.run("provision", "globex", "--schema", f.schema.toString(), "-o", "json");

            held.release();
            Cli.Result restored = restore.get(60, TimeUnit.SECONDS);

            // no pool holds more orgs than its capacity
            JsonNode pools = strictJson(ok(f.cli, "pools", "list", "-o", "json")).get("pools");
            for (JsonNode p : pools) {
                assertThat(p.get("orgs").asInt())
                        .as("pool %s after the restore (%s) and the provision (%s)", p.get("pool_id").asText(), restored, provision)
                        .isLessThanOrEqualTo(p.get("capacity").asInt());
            }
            Cli.Result verify = f.cli.run("verify", "-o", "json");
            assertThat(verify.out()).as(verify.toString()).doesNotContain("pool_over_capacity");

            // and nothing was lost: acme holds what it held (restored or not: the backup is what it held then)
            f.assertHolds("acme", backedUp);
            if (provision.exitCode() == 0) {
                f.assertClean("globex");
            }
        }
    }

    /**
     * A restore onto another pool takes its place there when it starts, as provision's new org and a move do: while it
     * copies, the pool is full to whoever else wants a place — another restore (and its dry run) is refused naming the
     * pool, its orgs and capacity and where to restore instead, a provision pinned there fails "no capacity" — and the
     * restore itself, holding the place, is not refused at its flip after a whole copy (it was: the provision took it).
     */
    @Test
    void aRestoreToAnotherPoolHoldsItsPlaceThereWhileItCopies(@TempDir Path dir) throws Exception {
        // two places each: acme and initech on pool-0, globex on pool-1, one place left there
        try (BackupFixture f = new BackupFixture(2, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 2)) {
            f.provision("acme", "initech");
            f.provisionTier("free", "pool-1", "globex");
            f.notes("acme", "notes", 20);
            String acmeBackup = f.backup("acme");
            String initechBackup = f.backup("initech");
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));

            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.startsWith("org_acme__r"));
            CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme", "--backup", acmeBackup,
                    "--target-pool", "pool-1", "-o", "json");
            assertThat(held.awaitReached()).as("the restore reached its copy").isTrue();

            // pool-1's last place is acme's now: another restore onto it is refused, its dry run says the same
            for (boolean dryRun : List.of(true, false)) {
                Cli.Result other = f.cli.run(java.util.stream.Stream.concat(java.util.stream.Stream.of("restore", "--org", "initech",
                        "--backup", initechBackup, "--target-pool", "pool-1"), dryRun ? java.util.stream.Stream.of("--dry-run")
                        : java.util.stream.Stream.empty()).toArray(String[]::new));
                assertThat(other.exitCode()).as(other.toString()).isEqualTo(1);
                assertThat(other.err()).as(other.toString()).contains("pool pool-1 cannot take org initech", "2/2 orgs",
                        "--target-pool", "leave out --target-pool");
            }
            Cli.Result provision = f.cli.run("provision", "hooli", "--pool", "pool-1", "--schema", f.schema.toString(), "-o", "json");
            assertThat(provision.exitCode()).as(provision.toString()).isEqualTo(1);
            assertThat(provision.out()).as(provision.toString()).contains("no capacity: pool pool-1 is full (2/2)");

            // nor can pool-1's capacity be set below it: the refusal says what holds the place
            Cli.Result capacity = f.cli.run("pools", "set-capacity", "pool-1", "--capacity", "1", "--dry-run");
            assertThat(capacity.exitCode()).as(capacity.toString()).isEqualTo(2);
            assertThat(capacity.err()).as(capacity.toString()).contains("holds 2 orgs", "1 being restored into it from another pool");

            held.release();
            Cli.Result restored = restore.get(60, TimeUnit.SECONDS);
            assertThat(restored.exitCode()).as(restored.toString()).isZero();
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            f.assertHolds("acme", backedUp);
            JsonNode pools = strictJson(ok(f.cli, "pools", "list", "-o", "json")).get("pools");
            assertThat(pools.findValuesAsText("orgs")).as(pools.toString()).containsExactly("1", "2");
        }
    }

    /**
     * The place is taken in one step with its check, as provision's: a provision that fills the pool after the restore
     * looked (held here at its ping of the pool, past that look) makes the restore refused before it copies anything, not
     * after a whole copy at its flip.
     */
    @Test
    void aRestoreWhosePoolIsFilledAfterItLookedIsRefusedBeforeItCopies(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 1)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String backupId = f.backup("acme");
            io.tenantctl.testing.Pause pause = io.tenantctl.testing.Pause.at(1);
            Cli held = f.newCli().decoratePools(real -> io.tenantctl.testing.HookedPools.onPing(real, pool -> {
                if (pool.equals("pool-1")) {
                    pause.call();
                }
            }));
            CompletableFuture<Cli.Result> restore = held.start("restore", "--org", "acme", "--backup", backupId, "--target-pool", "pool-1");
            assertThat(pause.awaitPaused()).as("the restore pinged its target pool").isTrue();
            ok(f.cli, "provision", "globex", "--pool", "pool-1", "--schema", f.schema.toString());
            pause.wake();

            Cli.Result refused = restore.get(60, TimeUnit.SECONDS);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).as(refused.toString()).contains("pool pool-1 cannot take org acme: it is active with 1/1 orgs",
                    "leave out --target-pool");
            assertThat(f.databaseNames("pool-1")).as("nothing copied").noneMatch(db -> db.startsWith("org_acme"));
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /**
     * A {@code --to-org} restore's new org takes its place by the same shared placement as provision's: the pool it planned
     * on, filled before it places the org, refused it saying "place the org without --pool", a flag restore does not have.
     * It names restore's own: leaving out the --target-pool that was given, or, with none given, trying again.
     */
    @Test
    void aToOrgRestoreWhosePoolFillsBeforeItPlacesTheOrgNamesRestoresOwnWayOn(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 1)) {
            f.provision("acme"); // fills pool-0: placement plans the copy onto pool-1
            f.notes("acme", "notes", 5);
            String backupId = f.backup("acme");
            String[][] restores = {{"restore", "--org", "acme", "--backup", backupId, "--to-org", "copy"},
                    {"restore", "--org", "acme", "--backup", backupId, "--to-org", "copy", "--target-pool", "pool-1"}};
            String[] wayOn = {"try again", "without --target-pool"};
            for (int i = 0; i < restores.length; i++) {
                if (i > 0) {
                    ok(f.cli, "pools", "set-capacity", "pool-1", "--capacity", String.valueOf(i + 1));
                }
                // past placement's look: unpinned, pool-1 is pinged first for whether it answers, then as the target
                io.tenantctl.testing.Pause pause = io.tenantctl.testing.Pause.at(i == 0 ? 2 : 1);
                Cli held = f.newCli().decoratePools(real -> io.tenantctl.testing.HookedPools.onPing(real, pool -> {
                    if (pool.equals("pool-1")) {
                        pause.call();
                    }
                }));
                CompletableFuture<Cli.Result> restore = held.start(restores[i]);
                assertThat(pause.awaitPaused()).as("the restore pinged the pool it planned on").isTrue();
                ok(f.cli, "provision", "filler" + i, "--pool", "pool-1", "--schema", f.schema.toString());
                pause.wake();

                Cli.Result refused = restore.get(60, TimeUnit.SECONDS);
                assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
                assertThat(refused.err()).as(refused.toString()).contains("pool pool-1 is full (" + (i + 1) + "/" + (i + 1) + ")", wayOn[i])
                        .doesNotContain("--pool");
                assertThat(f.cli.run("orgs", "show", "copy").exitCode()).as("no org made").isNotEqualTo(0);
            }
        }
    }
}
