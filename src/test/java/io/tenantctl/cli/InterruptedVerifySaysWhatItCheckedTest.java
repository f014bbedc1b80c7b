package io.tenantctl.cli;

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
            assertThat(r.out()).as(r.toString()).contains("verified 0 of 3 org(s), 3 not started (interrupted)")
                    .doesNotContain("verified 3 org(s)");
            assertThat(r.err()).as(r.toString()).containsPattern("Resume with: tenantctl verify --resume \\S+");
        }
    }
}
