package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing (SIGINT to a real 'rebalance move'): Ctrl-C during a single move lets the move finish, as it should,
 * but the run was then recorded interrupted and the command exited 130, advising 'rebalance apply --resume RUN', which
 * had nothing left to do. When the interrupt left no org not started and none failed, everything asked for was done:
 * exit 0 and the run succeeded (README's exit codes).
 */
class CtrlCDuringAMoveThatFinishesTest {

    @TempDir
    Path dir;

    @Test
    void aMoveCtrlCCameDuringIsDoneAndSaysSo() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            CancelToken ctrlC = new CancelToken();
            // the move copies the org's notes: Ctrl-C now, and the move in flight finishes
            Cli cli = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.startsWith("org_acme") ? db
                    : HookedPools.beforeEach(db, "getCollection", args -> {
                        if ("notes".equals(args[0])) {
                            ctrlC.cancel("SIGINT");
                        }
                    })));

            Cli.Result r = cli.run(ctrlC, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");

            assertThat(ctrlC.isCancelled()).as("Ctrl-C came during the move").isTrue();
            JsonNode doc = strictJson(r);
            assertThat(doc.get("counts").path("moved").asInt()).as(r.toString()).isEqualTo(1);
            assertThat(r.exitCode()).as("everything asked for is done: %s", r).isZero();
            assertThat(doc.get("status").asText()).isEqualTo("succeeded");
            assertThat(doc.get("interrupted").asBoolean()).isFalse();
            assertThat(doc.has("next")).as("nothing to resume: %s", doc).isFalse();
            JsonNode run = strictJson(ok(f.cli, "runs", "show", doc.get("run_id").asText(), "-o", "json")).get("run");
            assertThat(run.get("status").asText()).isEqualTo("succeeded");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
        }
    }
}
