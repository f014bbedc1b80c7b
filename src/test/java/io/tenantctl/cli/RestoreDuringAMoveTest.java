package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: restore decides its target (and refuses an org whose status is not restorable) before it takes
 * the org's lease. While a rebalance move holds the org in its freeze (status {@code moving}, the move's lease live), a
 * restore fails at once with exit 1 "org acme is moving: restore works on active, read_only, failed or (re-run)
 * restoring orgs" — not exit 3 naming the move and its run, as the README promises for every single-org command on an
 * org another operation holds ("a backup, restore or migration of an org being moved is refused naming the move"), and
 * {@code --wait} does not wait for the move at all: it fails the same way, so a restore queued behind a move (the
 * operator's runbook at 3 a.m.) never runs.
 */
class RestoreDuringAMoveTest {

    private static final String MOVER = "node-b/4242/mover";

    @TempDir
    Path dir;

    @Test
    void aRestoreOfAnOrgInTheMiddleOfAMoveIsRefusedNamingTheMoveAndWaitsForItWithWait() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String id = f.backup("acme");
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            f.notes("acme", "later", 3);
            // a move of acme, live on another node, in its freeze: it holds acme's lease and acme is moving
            try (Catalog catalog = Catalog.open(f.catalogUrl)) {
                assertThat(catalog.leases().acquire("acme", MOVER, "node-b", 4242, "move", null, null, 600).taken()).isTrue();
                catalog.orgs().setStatus("acme", Org.MOVING);
            }

            Cli.Result refused = f.cli.run("restore", "--org", "acme", "--backup", id, "-o", "json");
            assertThat(refused.exitCode()).as("a restore of an org another operation holds: %s", refused).isEqualTo(3);
            assertThat(strictJson(refused).get("error").get("message").asText()).contains("org acme is busy: move by " + MOVER)
                    .contains("--wait");

            CompletableFuture<Void> waiting = new CompletableFuture<>();
            CompletableFuture<Cli.Result> queued = f.cli.start(new io.tenantctl.fanout.CancelToken(), text -> {
                if (text.contains("waiting (--wait): org acme is busy: move")) {
                    waiting.complete(null);
                }
            }, "restore", "--org", "acme", "--backup", id, "--wait", "-o", "json");
            CompletableFuture.anyOf(waiting, queued).get(60, TimeUnit.SECONDS);
            assertThat(waiting).as(() -> "restore --wait waits for the move; it ended with " + queued.getNow(null)).isDone();

            // the move ends (here: aborted, acme back on its source) and lets go of the org
            try (Catalog catalog = Catalog.open(f.catalogUrl)) {
                catalog.orgs().setStatus("acme", Org.ACTIVE);
                catalog.leases().release("acme", MOVER);
            }
            Cli.Result restored = queued.get(60, TimeUnit.SECONDS);
            assertThat(restored.exitCode()).as(restored.toString()).isZero();
            JsonNode r = strictJson(restored);
            assertThat(r.get("previous_database").asText()).isEqualTo("org_acme");
            f.assertHolds("acme", backedUp);
        }
    }
}
