package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming (pools and placement). The only pool is active with room, but tenantctl cannot reach it — here because
 * the shell the on-call runs it from lacks the pool's password variable (the same happens with a pool that is down).
 * Placement passes it over (correctly) and then fails the org with
 * "no capacity: no active pool has room (pool-1 unreachable) — add a pool ('tenantctl pools add'), enable one ('tenantctl
 * pools enable POOL') or raise a capacity ('tenantctl pools set-capacity POOL --capacity N')", next step "tenantctl pools add …
 * / pools enable …, then: tenantctl provision acme". Every word of that is wrong: pool-1 is active and has 5 free places,
 * there is nothing to enable, and raising its capacity changes nothing. The org failed because pool-1 did not answer; the
 * error and next step must say that (naming the pool), not send the on-call to add capacity at 3 a.m.
 */
class NoCapacityWhenThePoolWithRoomDoesNotAnswerTest {

    @Test
    void theFailureSaysThePoolWithRoomDidNotAnswerInsteadOfNoCapacity(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        // no POOL1_PASSWORD in this environment
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
        CliFixture.addPool(cli, "pool-1", "mongodb://app:${POOL1_PASSWORD}@127.0.0.1:27017/", 5, 1);

        Cli.Result r = cli.run("provision", "acme", "--schema", CliFixture.smallSchema(dir).toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        JsonNode failed = strictJson(r).get("failed").get(0);
        String error = failed.get("error").asText();
        String next = failed.get("next_step").asText();

        assertThat(error).as("pool-1 is active with 5 free places: the org did not fail for want of room")
                .doesNotContain("no active pool has room").contains("pool-1");
        assertThat(next).as("the next step names pool-1, the pool that has room and did not answer: %s", next).contains("pool-1");
    }
}
