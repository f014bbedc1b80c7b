package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * verify reports an org left restoring with nobody holding it at once (a restore holds the org's lease for as long as
 * it is restoring: such a restore died), as the README says; --stuck-after's help said a restoring org was stuck only
 * after that long, so an operator who saw org_stuck on a restore a minute old took it for a wrong finding.
 */
class StuckAfterHelpSaysARestoreIsStuckAtOnceTest {

    @Test
    void theHelpOfStuckAfterSaysARestoringOrgIsStuckAtOnce() {
        Cli.Result r = new Cli(Map.of()).run("verify", "--help");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String help = r.out().replaceAll("\\s+", " ");
        String stuckAfter = help.substring(help.lastIndexOf("--stuck-after=DURATION"));
        stuckAfter = stuckAfter.substring(0, stuckAfter.indexOf(" --", 5));
        assertThat(stuckAfter).as(stuckAfter).doesNotContain("moving or restoring").contains("restoring").contains("at once");
    }
}
