package io.tenantctl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: an interrupted run's stderr, not a terminal, began with an empty line (meant to end a
 * progress bar's line, which is drawn only on a terminal), and SIGTERM was told "press Ctrl-C again to quit at once",
 * though whoever sent it (systemd, Kubernetes, kill) has no Ctrl-C. The line the signal handler writes names its signal.
 */
class InterruptedLineTest {

    @Test
    void noLeadingEmptyLineOffATerminal() {
        assertThat(Main.interruptedLine("INT", false)).startsWith("interrupted: ").contains("press Ctrl-C again to quit at once");
        assertThat(Main.interruptedLine("INT", true)).as("a bar's line is ended first").startsWith("\ninterrupted: ");
    }

    /**
     * Found by a 3 a.m. audit of rebalance: Ctrl-C during a rebalance apply said what becomes of provisions, migrations,
     * backups and restores in flight, and nothing of the move in flight (it finishes, its org flipped or rolled back, never
     * left frozen; the line read as if it were dropped half-way).
     */
    @Test
    void aMoveInFlightIsSaidToFinish() {
        assertThat(Main.interruptedLine("INT", false)).contains("moves in flight finish");
        assertThat(Main.interruptedLine("TERM", false)).contains("moves in flight finish");
    }

    @Test
    void sigtermIsToldToSendItAgainNotToPressCtrlC() {
        String line = Main.interruptedLine("TERM", false);
        assertThat(line).startsWith("interrupted by SIGTERM: taking no new orgs").endsWith("; send SIGTERM again to quit at once")
                .doesNotContain("Ctrl-C");
    }
}
