package io.tenantctl.cli;

import static io.tenantctl.cli.CliFixture.strictJson;

import static io.tenantctl.cli.CliFixture.ok;

import com.fasterxml.jackson.databind.JsonNode;

import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing (SIGINT to a real verify): an interrupted verify said "verified 59 org(s): 1 problem(s)" when it
 * had checked none of them: no word of the interrupt, nor of the orgs left, while -o json's counts had them as
 * not_started. Its summary now says how many it checked of how many, how many were not started, and the --resume.
 */
class InterruptedVerifySaysWhatItCheckedTest {

    @TempDir
    Path dir;

    @Test
    void anInterruptedVerifySaysHowManyItCheckedAndHowManyWereNotStarted() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex", "initech");
            CancelToken ctrlC = new CancelToken();
            ctrlC.cancel("SIGINT");

            Cli.Result r = f.cli.run(ctrlC, "verify");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            assertThat(r.out()).as(r.toString()).contains("verified 0 of 3 orgs, 3 not started (interrupted)")
                    .doesNotContain("verified 3 orgs");
            assertThat(r.err()).as(r.toString()).containsPattern("Resume with: tenantctl verify --resume \\S+");
        }
    }

    /**
     * Found by the same probe: after Ctrl-C, verify still ran its fleet-wide checks — pinged every pool (a dead one for
     * its whole timeout), listed every org's backups, judged runs, and with --fix acted on them — ~20 s on 60 orgs. A
     * first Ctrl-C finishes what is in flight and starts nothing: the resume does the fleet's checks once the orgs are.
     */
    @Test
    void anInterruptedVerifyStartsNoFleetWideCheckAndFixesNothing() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provisionTier("free", "pool-0", "acme");
            f.provisionTier("free", "pool-1", "globex");
            // an abandoned run, which verify --fix cancels, and a pool that does not answer
            String runId = strictJson(ok(f.cli, "provision", "--schema", f.schema.toString(), "--detach", "initech", "-o", "json"))
                    .get("run_id").asText();
            f.pools.kill(1);
            CancelToken ctrlC = new CancelToken();
            ctrlC.cancel("SIGINT");

            Cli.Result r = f.cli.run(ctrlC, "verify", "--fix", "--stuck-after", "0s", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            JsonNode doc = strictJson(r);
            assertThat(doc.path("findings").findValuesAsText("kind")).as(r.toString()).doesNotContain("pool_unreachable", "run_unstarted",
                    "run_abandoned");
            assertThat(doc.path("fixed")).as("nothing fixed after Ctrl-C: %s", r).isEmpty();
            assertThat(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText())
                    .as("the detached run verify --fix would cancel").isNotEqualTo("cancelled");
        }
    }
}
