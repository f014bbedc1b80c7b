package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
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
 * Found by red-teaming: {@code orgs set-tier} takes no org lease and bumps the org's version. A restore checks that version at
 * its flip (the one it read when it marked the org restoring), so a tier change made at any moment of a long restore makes
 * the restore fail at the very end ("changed by someone else during the restore"), its whole copy thrown away — while
 * set-tier, the second operation on a busy org, is neither refused nor made to wait. One of the two must lose cleanly:
 * set-tier refused naming the restore (exit 3), or both done; never the restore's work lost to a tier label.
 */
class SetTierDuringRestoreTest {

    @Test
    void aTierChangeWhileTheOrgIsBeingRestoredDoesNotThrowTheRestoreAway(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String backupId = f.backup("acme");
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            f.db("acme").getCollection("notes").insertOne(new Document("_id", 999).append("text", "after the backup"));

            // the restore is held at its first create in its fresh database, i.e. mid-way
            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.startsWith("org_acme__r"));
            CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme", "--backup", backupId, "-o", "json");
            assertThat(held.awaitReached()).as("the restore reached its copy").isTrue();

            // meanwhile, another operator moves acme to a paid tier
            Cli.Result tier = f.cli.run("orgs", "set-tier", "acme", "pro", "-o", "json");
            String holdersRun = f.org("acme").path("lease").path("run_id").asText(null); // who holds it, as orgs show says

            held.release();
            Cli.Result restored = restore.get(60, TimeUnit.SECONDS);
            if (tier.exitCode() != 0) {
                // refused: it must say the org is busy with the restore, as every other operation on a busy org does
                assertThat(tier.exitCode()).as(tier.toString()).isEqualTo(3);
                assertThat(strictJson(tier).get("error").get("message").asText()).contains("org acme is busy: restore");
            }
            assertThat(restored.exitCode()).as("the restore, whatever set-tier did: %s", restored).isZero();
            String restoreRun = strictJson(restored).get("run_id").asText();
            assertThat(holdersRun).as("orgs show names the restore's run while it holds the org").isEqualTo(restoreRun);
            if (tier.exitCode() != 0) {
                assertThat(strictJson(tier).get("error").get("message").asText()).as("the refusal names the run")
                        .contains("(run " + restoreRun + ")");
            }
            JsonNode org = f.org("acme");
            assertThat(org.get("status").asText()).isEqualTo("active");
            assertThat(org.get("database_name").asText()).startsWith("org_acme__r");
            f.assertHolds("acme", backedUp);
            if (tier.exitCode() == 0) {
                assertThat(org.get("tier").asText()).isEqualTo("pro");
            }
        }
    }
}
