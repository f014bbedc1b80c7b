package io.tenantctl.cli;

import io.tenantctl.fanout.CancelToken;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: without a terminal (stderr to a file) the progress lines came every 10 s and
 * stopped when the run ended, so the last one before the summary could be a stale "16/40 orgs done". Once a line was
 * printed, the run's end prints the final count.
 */
class ProgressLinesEndOnTheFinalCountTest {

    @Test
    void theLastProgressLineOfARunIsItsFinalCount() {
        StringWriter err = new StringWriter();
        try (CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(err), Map.of(),
                UnaryOperator.identity(), new CancelToken())) {
            ProgressReporter progress = (ProgressReporter) ProgressReporter.of(ctx);
            progress.begin("provision", 40);
            for (int i = 0; i < 16; i++) {
                progress.advance("org-" + i, true);
            }
            progress.line(); // what the 10-second tick prints
            for (int i = 16; i < 40; i++) {
                progress.advance("org-" + i, i != 39);
            }
            progress.end();
            ctx.err().flush();
        }
        List<String> lines = err.toString().lines().filter(l -> l.contains("orgs done")).toList();
        assertThat(lines).as(err.toString()).hasSize(2);
        assertThat(lines.get(lines.size() - 1)).isEqualTo("provision: 40/40 orgs done, 1 failed");
    }

    @Test
    void aRunShorterThanATickPrintsNoProgressLine() {
        StringWriter err = new StringWriter();
        try (CliContext ctx = new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(err), Map.of(),
                UnaryOperator.identity(), new CancelToken())) {
            ProgressReporter progress = (ProgressReporter) ProgressReporter.of(ctx);
            progress.begin("provision", 3);
            for (int i = 0; i < 3; i++) {
                progress.advance("org-" + i, true);
            }
            progress.end();
            ctx.err().flush();
        }
        assertThat(err.toString()).doesNotContain("orgs done");
    }
}
