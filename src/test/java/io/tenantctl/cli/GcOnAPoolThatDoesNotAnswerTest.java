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
 * Found by probing: a restore onto pool-1 retires acme's old database on pool-0; with pool-0 not answering,
 * 'rebalance gc --dry-run' said would_drop (exit 0) and the real gc failed it (exit 1) with only the driver's error and
 * no next step. Both now ping the pool first and say skipped, "pool-0 does not answer", exit 1, as 'orgs purge' does;
 * the database stays recorded, and the next gc with the pool back drops it. The table's last line said only "dropped 0
 * database(s)" with that exit 1, as if nothing were left: it now counts the skipped ones, to run gc again; and a gc whose
 * only retired database is still within --older-than (nothing to do yet) exits 0 saying it waits for its grace.
 */
class GcOnAPoolThatDoesNotAnswerTest {

    @TempDir
    Path dir;

    @Test
    void aDatabaseOnAPoolThatDoesNotAnswerIsSkippedInTheDryRunAndTheRealRun() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String id = f.backup("acme");
            ok(f.cli, "restore", "--org", "acme", "--backup", id, "--target-pool", "pool-1");
            // within its grace (default --older-than 7d): nothing to do yet, exit 0, and the line says it waits
            Cli.Result waiting = ok(f.cli, "rebalance", "gc");
            assertThat(waiting.out()).as(waiting.toString())
                    .contains("dropped 0 databases; 1 within --older-than, not due yet: a later gc drops it");
            JsonNode waitingJson = strictJson(ok(f.cli, "rebalance", "gc", "-o", "json"));
            assertThat(waitingJson.get("items")).as(waitingJson.toString()).isEmpty();
            assertThat(waitingJson.get("within_grace").asLong()).as(waitingJson.toString()).isEqualTo(1);
            assertThat(f.databaseNames("pool-0")).contains("org_acme");
            ok(f.cli, "pools", "set-uri", "pool-0", "--uri", "mongodb://127.0.0.1:1/", "--force", "--allow-unreachable");
            Cli down = f.cli.quickToGiveUpOnDeadPools();

            for (boolean dryRun : new boolean[] {true, false}) {
                Cli.Result gc = dryRun ? down.run("rebalance", "gc", "--older-than", "0s", "--dry-run", "-o", "json")
                        : down.run("rebalance", "gc", "--older-than", "0s", "-o", "json");
                assertThat(gc.exitCode()).as("dry run %s: %s", dryRun, gc).isEqualTo(1);
                JsonNode item = strictJson(gc).get("items").get(0);
                assertThat(item.get("pool_id").asText()).isEqualTo("pool-0");
                assertThat(item.get("action").asText()).as(item.toString()).isEqualTo("skipped");
                assertThat(item.get("detail").asText()).as(item.toString()).contains("pool pool-0 does not answer")
                        .contains(dryRun ? "run this dry run again once it answers" : "run gc again once it answers")
                        .as("a dry run's way on is itself again, never the gc it previews: %s", item)
                        .doesNotContain(dryRun ? "run gc again" : "run this dry run again");
                // the pool named once, as delete and purge say it: not "pool pool-0 does not answer (pool pool-0 (…) is unreachable: …)"
                assertThat(item.get("detail").asText()).as(item.toString()).startsWith("pool pool-0 does not answer: ")
                        .doesNotContain("is unreachable").contains(" — see 'tenantctl pools stats pool-0'; nothing compared or dropped; ");
            }
            for (boolean dryRun : new boolean[] {true, false}) {
                Cli.Result table = dryRun ? down.run("rebalance", "gc", "--older-than", "0s", "--dry-run")
                        : down.run("rebalance", "gc", "--older-than", "0s");
                assertThat(table.exitCode()).as("the table's exit code is the JSON's: %s", table).isEqualTo(1);
                assertThat(table.out()).as(table.toString()).contains("pool pool-0 does not answer")
                        .contains(dryRun ? "would drop 0 databases; 1 skipped or failed: see detail, then run this dry run again"
                                : "dropped 0 databases; 1 skipped or failed: see detail, then run gc again")
                        .as("a dry run's way on is itself again: %s", table).doesNotContain(dryRun ? "run gc again" : "run this dry run again");
            }

            ok(f.cli, "pools", "set-uri", "pool-0", "--uri", f.pools.uri(0), "--force");
            JsonNode again = strictJson(ok(f.cli, "rebalance", "gc", "--older-than", "0s", "-o", "json"));
            assertThat(again.get("items").get(0).get("action").asText()).as(again.toString()).isEqualTo("dropped");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
        }
    }
}
