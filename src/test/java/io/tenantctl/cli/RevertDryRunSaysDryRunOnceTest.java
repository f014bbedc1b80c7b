package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found {@code rebalance revert MOVE_ID --dry-run} printing "dry run: dry run: org acme would be back
 * on …": the command added the prefix to a message that already carries it.
 */
class RevertDryRunSaysDryRunOnceTest {

    @TempDir
    Path dir;

    @Test
    void aRevertDryRunSaysDryRunOnce() {
        try (BackupFixture f = new BackupFixture(2, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provision("acme");
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            String moveId = strictJson(ok(f.cli, "rebalance", "status", "-o", "json")).get(0).get("move_id").asText();

            Cli.Result dry = ok(f.cli, "rebalance", "revert", moveId, "--dry-run");
            assertThat(dry.out().strip()).as(dry.toString())
                    .startsWith("dry run: org acme would be back on pool-0/org_acme")
                    .doesNotContain("dry run: dry run");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
        }
    }

    /**
     * Found in an audit: a revert run a second time said "move M is reverted: only a retained move (flipped, source kept)
     * can be reverted", not that it was done already nor where the org is. Nothing lost either way.
     */
    @Test
    void aSecondRevertSaysTheMoveWasRevertedAlreadyAndWhereTheOrgIs() {
        try (BackupFixture f = new BackupFixture(2, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provision("acme");
            f.seedNotes("acme", 50);
            Map<String, java.util.List<org.bson.RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            io.tenantctl.ops.Fingerprint digests = io.tenantctl.ops.Fingerprints.of(f.db("acme"));
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            String moveId = strictJson(ok(f.cli, "rebalance", "status", "-o", "json")).get(0).get("move_id").asText();
            ok(f.cli, "rebalance", "revert", moveId);

            String why = "move " + moveId + " of org acme cannot be reverted: it was reverted already; org acme is on pool-0/org_acme "
                    + "(active): nothing to revert";
            Cli.Result again = f.cli.run("rebalance", "revert", moveId);
            assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
            assertThat(again.err().strip()).isEqualTo("error: " + why);
            Cli.Result json = f.cli.run("rebalance", "revert", moveId, "--dry-run", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
            assertThat(strictJson(json).get("error").get("message").asText()).isEqualTo(why);

            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            f.assertHolds("acme", before); // active, its whole schema, every document the same
            assertThat(io.tenantctl.ops.Fingerprints.of(f.db("acme"))).as("counts and digests").isEqualTo(digests);
        }
    }
}
