package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code pools set-uri} checks that the new server holds the databases of the orgs living
 * on the pool, but a database of the right name there was enough — also the source a move left behind (retained until
 * gc, the org's data as of the move). acme moved pool-0 → pool-1 leaves org_acme on pool-0's server; pointing pool-1 at
 * pool-0's server (a pasted wrong host) was accepted, routing acme to its stale retained copy, where its next writes
 * would land in a database gc drops. A retained copy on the new server is not the org's database.
 */
class SetUriNotSatisfiedByARetainedMoveSourceTest {

    @Test
    void aRetainedMoveSourceOfTheSameNameDoesNotSatisfyTheCheck(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String from = f.org("acme").get("pool_id").asText();
            String to = from.equals("pool-0") ? "pool-1" : "pool-0";
            ok(f.cli, "rebalance", "move", "acme", "--to", to, "--freeze-grace", "0");
            assertThat(f.databaseNames(from)).as("the move's source is retained").contains("org_acme");
            String before = strictJson(ok(f.cli, "pools", "show", to, "-o", "json")).get("uri").asText();
            String fromServer = f.pools.uri(from.equals("pool-0") ? 0 : 1);

            Cli.Result dry = f.cli.run("pools", "set-uri", to, "--uri", fromServer, "--dry-run");
            Cli.Result r = f.cli.run("pools", "set-uri", to, "--uri", fromServer, "-o", "json");

            assertThat(dry.exitCode()).as("the dry run makes the same check: %s", dry).isEqualTo(2);
            assertThat(r.exitCode()).as("the new server holds only acme's retained move source: %s", r).isEqualTo(2);
            JsonNode error = strictJson(r).get("error");
            assertThat(error.get("message").asText()).as(r.toString()).contains("org_acme (org acme").contains("retained");
            assertThat(strictJson(ok(f.cli, "pools", "show", to, "-o", "json")).get("uri").asText()).as("unchanged").isEqualTo(before);
        }
    }
}
