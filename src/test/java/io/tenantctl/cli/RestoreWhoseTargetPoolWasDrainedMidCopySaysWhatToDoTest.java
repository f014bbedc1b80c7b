package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
 * Found by a probing helper: a {@code restore --target-pool pool-1} whose pool was drained while it copied is refused at
 * the flip (as it must be), saying "pool pool-1 is draining now (changed while the copy was written): nothing was
 * flipped, the org stays where it was" — what failed, not what to do. As the refusal before the copy does, it names the
 * restore that works (another pool with room, or the org's own), and that restore, pasted, restores the org.
 */
@Timeout(180)
class RestoreWhoseTargetPoolWasDrainedMidCopySaysWhatToDoTest {

    @TempDir
    Path dir;

    @Test
    void theRefusedFlipNamesTheRestoreThatWorks() throws Exception {
        try (BackupFixture f = new BackupFixture(3, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            Map<String, List<RawBsonDocument>> data = BackupFixture.contents(f.db("acme"));
            String id = f.backup("acme");

            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.startsWith("org_acme__r"));
            CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme", "--backup", id,
                    "--target-pool", "pool-1", "-o", "json");
            assertThat(held.awaitReached()).as("the restore reached its copy").isTrue();
            ok(f.cli, "pools", "drain", "pool-1");
            held.release();
            Cli.Result refused = restore.get(60, TimeUnit.SECONDS);

            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            String message = strictJson(refused).get("error").get("message").asText();
            String works = "'tenantctl restore --org acme --backup " + id + " --target-pool pool-2'";
            assertThat(message).as(refused.toString()).contains("pool-1").contains(works).contains("leave out --target-pool");
            assertThat(f.org("acme").get("database_name").asText()).as("refused: acme where it was").isEqualTo("org_acme");

            ok(f.cli, works.substring("'tenantctl ".length(), works.length() - 1).split(" "));
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-2");
            f.assertHolds("acme", data);
        }
    }
}
