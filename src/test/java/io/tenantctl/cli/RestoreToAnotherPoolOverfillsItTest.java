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
}
