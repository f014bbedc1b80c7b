package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code restore --to-org} places its new org fill-then-spill, as provision does; with the first pool down it was placed
 * there anyway and failed (exit 3, "pool pool-0 (the restore's target) does not answer") though pool-1 had room.
 * It now spills past a pool that does not answer, as provision does; a --target-pool is still checked and named.
 */
class RestoreToOrgSpillsPastAPoolThatDoesNotAnswerTest {

    @TempDir
    Path dir;

    @Test
    void aNewOrgFromABackupGoesToAPoolThatAnswers() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            f.backup("acme");
            ok(f.cli, "pools", "set-uri", "pool-0", "--uri", "mongodb://127.0.0.1:1/", "--force", "--allow-unreachable");
            Cli cli = f.cli.quickToGiveUpOnDeadPools();

            Cli.Result spilled = cli.run("restore", "--org", "acme", "--to-org", "acme-copy", "-o", "json");
            JsonNode r = strictJson(spilled);
            assertThat(f.org("acme-copy").get("pool_id").asText()).as(r.toString()).isEqualTo("pool-1");
            assertThat(spilled.err()).as("said, as provision says it").contains("pool-0").contains("org acme-copy is placed on the other pools");
            f.assertHolds("acme-copy", backedUp);

            Cli.Result pinned = cli.run("restore", "--org", "acme", "--to-org", "acme-two", "--target-pool", "pool-0");
            assertThat(pinned.exitCode()).as(pinned.toString()).isEqualTo(3);
            assertThat(pinned.err()).contains("pool pool-0");
        }
    }
}
