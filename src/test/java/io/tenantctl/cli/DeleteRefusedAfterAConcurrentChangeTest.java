package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code orgs delete} freezes the org (read_only), backs it up and then marks it deleting only if
 * the org's row is at the version it froze. Any other change to the row meanwhile — a second operator's {@code orgs
 * set-tier}, a rollout recording its manifest — makes it refuse ("org acme changed during its final backup (now
 * read_only): nothing deleted; run the delete again", exit 1), and the org is left read_only: the customer can no longer
 * write, though nothing was deleted, and the message does not say the delete froze it nor how to undo that. Every other
 * refusal of the delete puts the org back to the status it had and says so (README: "both set the org back to the
 * status it had and say so"). A change to the row that leaves the frozen database as it was no longer refuses the delete.
 */
class DeleteRefusedAfterAConcurrentChangeTest {

    @TempDir
    Path dir;

    @Test
    void aDeleteRefusedBecauseTheOrgChangedLeavesItAsWritableAsItWas() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            AtomicBoolean armed = new AtomicBoolean(true);
            // the moment the delete has frozen acme and reads it for its first fingerprint, another operator changes its tier
            Cli deleting = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> name.equals("org_acme")
                    ? HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        if (armed.compareAndSet(true, false)) {
                            ok(f.cli, "orgs", "set-tier", "acme", "growth");
                        }
                    }) : db));

            Cli.Result r = deleting.run("orgs", "delete", "acme");

            assertThat(armed.get()).as("the set-tier ran during the delete").isFalse();
            assertThat(f.org("acme").get("tier").asText()).isEqualTo("growth");
            // the tier is not the data the final backup holds: the delete goes on (it once refused and left acme read_only)
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
            ok(f.cli, "restore", "--org", "acme", "--to-org", "acme-back");
            assertThat(f.db("acme-back").getCollection("notes").countDocuments()).as("the final backup holds acme").isEqualTo(5);
        }
    }

    /**
     * The delete is refused for a write during its final backup, and a tier was set meanwhile: the org goes back to what it
     * was (its thaw once compared the version it froze, which the tier change had moved, and left it read_only).
     */
    @Test
    void aDeleteRefusedForAWriteAfterATierChangeStillPutsTheOrgBack() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            java.util.concurrent.atomic.AtomicInteger listings = new java.util.concurrent.atomic.AtomicInteger();
            // a tier change after the delete froze acme, then a stale client's write during its backup
            Cli deleting = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> name.equals("org_acme")
                    ? HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        int n = listings.incrementAndGet();
                        if (n == 1) { // the first fingerprint, between the freeze and the backup (no lease held)
                            ok(f.cli, "orgs", "set-tier", "acme", "growth");
                        } else if (n == 2) { // the backup
                            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new org.bson.Document("_id", "late"));
                        }
                    }) : db));

            Cli.Result r = deleting.run("orgs", "delete", "acme");

            assertThat(listings.get()).as("the hook ran during the backup").isGreaterThanOrEqualTo(2);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).contains("was written during its final backup");
            assertThat(f.org("acme").get("status").asText()).as("refused: acme is as writable as before (%s)", r.err().strip())
                    .isEqualTo("active");
            assertThat(f.org("acme").get("tier").asText()).isEqualTo("growth");
        }
    }
}
