package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team, pass 3: a pool dies at 3 a.m. and a single-org command meets it. README: every failure is one clear line
 * saying what failed, on what (the pool), and what to do; "restore fails naming the pool"; "rebalance move fails
 * before the flip ... re-run the move". acme lives on pool-0, initech on pool-1; pool-1 is dead.
 */
@Timeout(120)
class OnCallDeadPoolMessagesTest {

    private static Cli fastTimeouts(BackupFixture f) {
        return new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                "TENANTCTL_POOL_CONNECT_TIMEOUT_MS", "300", "TENANTCTL_POOL_SOCKET_TIMEOUT_MS", "500", "USER", "test"));
    }

    private static BackupFixture fleetWithDeadPool1(Path dir) {
        BackupFixture f = new BackupFixture(2, dir);
        f.provision("acme");
        f.provisionTier("free", "pool-1", "initech");
        f.notes("acme", "notes", 3);
        f.backup("acme");
        f.pools.kill(1);
        return f;
    }

    /** The move's target is dead: it was reported "on pool-0" (the healthy source), never naming pool-1. */
    @Test
    void aMoveToADeadPoolNamesTheDeadPool(@TempDir Path dir) {
        try (BackupFixture f = fleetWithDeadPool1(dir)) {
            Cli.Result r = fastTimeouts(f).run("rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");
            assertThat(r.exitCode()).as("refused before anything is recorded, a connectivity error: " + r).isEqualTo(3);
            JsonNode error = strictJson(r).get("error");
            assertThat(error.get("message").asText()).as("the error must say which pool did not answer: " + error)
                    .contains("pool pool-1 (the move's target) does not answer");
        }
    }

    /** The move's source is dead: "error: unexpected MongoTimeoutException: …" (category internal), naming no pool. */
    @Test
    void aMoveFromADeadPoolIsOneClearLineNamingThePool(@TempDir Path dir) {
        try (BackupFixture f = fleetWithDeadPool1(dir)) {
            Cli.Result r = fastTimeouts(f).run("rebalance", "move", "initech", "--to", "pool-0", "--freeze-grace", "0", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isIn(1, 3);
            String message = strictJson(r).path("error").path("message").asText(strictJson(r).toString());
            assertThat(strictJson(r).path("error").path("category").asText()).as(r.toString()).isNotEqualTo("internal");
            assertThat(message).as(r.toString()).doesNotContain("unexpected MongoTimeoutException").contains("pool-1");
        }
    }

    /** restore --to-org onto a dead --target-pool: "unexpected MongoTimeoutException" too, where README promises the pool is named. */
    @Test
    void aRestoreOntoADeadTargetPoolNamesThePool(@TempDir Path dir) {
        try (BackupFixture f = fleetWithDeadPool1(dir)) {
            Cli.Result r = fastTimeouts(f).run("restore", "--org", "acme", "--to-org", "acme2", "--target-pool", "pool-1", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isIn(1, 3);
            JsonNode error = strictJson(r).get("error");
            assertThat(error.get("category").asText()).as(r.toString()).isNotEqualTo("internal");
            assertThat(error.get("message").asText()).as(r.toString()).doesNotContain("unexpected MongoTimeoutException").contains("pool-1");
        }
    }
}
