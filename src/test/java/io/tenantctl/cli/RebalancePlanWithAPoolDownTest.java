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
 * One pool down: {@code rebalance plan} and {@code apply} failed on the first of its orgs' sizes with "unexpected
 * MongoTimeoutException" (exit 1, category internal), though the other pools could be rebalanced. The pool is now left
 * out of the plan, said in its notes, and nothing moves off it or onto it.
 */
class RebalancePlanWithAPoolDownTest {

    @TempDir
    Path dir;

    @Test
    void aPoolThatDoesNotAnswerIsLeftOutOfThePlanAndSaid() {
        try (BackupFixture f = new BackupFixture(3, dir)) {
            f.provision("acme", "globex", "initech");
            f.provisionTier("free", "pool-2", "hooli"); // the pool that goes down holds an org: its size cannot be read
            ok(f.cli, "pools", "drain", "pool-0");
            ok(f.cli, "pools", "set-uri", "pool-2", "--uri", "mongodb://127.0.0.1:1/", "--force", "--allow-unreachable");
            Cli cli = f.cli.quickToGiveUpOnDeadPools();

            JsonNode plan = strictJson(ok(cli, "rebalance", "plan", "-o", "json"));
            assertThat(plan.get("notes").toString()).as(plan.toString()).contains("pool-2").contains("left out of the plan");
            assertThat(plan.get("moves")).as(plan.toString()).isNotEmpty().allSatisfy(m -> {
                assertThat(m.get("to_pool").asText()).isEqualTo("pool-1");
                assertThat(m.get("from_pool").asText()).isEqualTo("pool-0");
            });
            Cli.Result applied = cli.run("rebalance", "apply", "--freeze-grace", "0", "-o", "json");
            assertThat(applied.exitCode()).as(applied.toString()).isZero();
            assertThat(strictJson(applied).get("orgs")).allSatisfy(o -> assertThat(o.get("outcome").asText()).isEqualTo("moved"));
        }
    }

    /**
     * The only pool with room does not answer: a drain finds no room, and the notes said "no active pool has room …: add a
     * pool or raise a capacity" while a pool with room for nine sat there silent. The cause is named now.
     */
    @Test
    void whenThePoolWithRoomDoesNotAnswerTheNoRoomNoteSaysSo() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            ok(f.cli, "pools", "drain", "pool-0");
            ok(f.cli, "pools", "set-uri", "pool-1", "--uri", "mongodb://127.0.0.1:1/", "--force", "--allow-unreachable");
            Cli cli = f.cli.quickToGiveUpOnDeadPools();

            JsonNode plan = strictJson(ok(cli, "rebalance", "plan", "-o", "json"));
            assertThat(plan.get("notes").toString()).as(plan.toString()).contains("no active pool that answers (pool-1, room for")
                    .contains("find out why that pool does not answer");
            Cli.Result apply = cli.run("rebalance", "apply", "--dry-run");
            assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(1);
            assertThat(apply.err()).contains("bring back a pool the notes say does not answer");
        }
    }
}
