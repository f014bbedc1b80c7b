package io.tenantctl.ops.run;

import io.tenantctl.catalog.RunStatus;
import io.tenantctl.fanout.Timings;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A run's report names its slowest orgs. One without lines (a fleet's: {@link RunReport#summary}) keeps the
 * {@link RunReport#SLOWEST_KEPT} slowest the catalog gave it; asked for more it threw IllegalStateException ("a report
 * without lines keeps its 3 slowest orgs, not 5") even when the run had timed fewer orgs than that, all of them kept.
 */
class RunReportTest {

    private static RunReport.Org org(String id, long ms) {
        return new RunReport.Org(id, "pool-1", "succeeded", 1, ms, null, null);
    }

    private static RunReport summary(List<RunReport.Org> slowest) {
        return RunReport.summary("R", "backup", RunStatus.SUCCEEDED, Map.of("succeeded", 10), Timings.of(List.of()), slowest, null, 0);
    }

    @Test
    void aSummaryOfARunThatTimedFewerOrgsThanItKeepsNamesThemAllWhateverIsAskedFor() {
        RunReport two = summary(List.of(org("a", 30), org("b", 20)));
        assertThat(two.slowest(5)).extracting(RunReport.Org::orgId).containsExactly("a", "b");
        assertThat(two.slowest(1)).extracting(RunReport.Org::orgId).containsExactly("a");
    }

    @Test
    void aSummaryAskedForMoreThanItKeptRefusesNamingWhatItKeepsAndWhatToReadInstead() {
        RunReport three = summary(List.of(org("a", 30), org("b", 20), org("c", 10)));
        assertThat(three.slowest(3)).extracting(RunReport.Org::orgId).containsExactly("a", "b", "c");
        assertThat(three.slowest(2)).extracting(RunReport.Org::orgId).containsExactly("a", "b");
        // more may have been timed than it kept: not an answer cut short, a refusal saying why and what answers it
        assertThatThrownBy(() -> three.slowest(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("run R's report holds no org lines").hasMessageContaining("its 3 slowest")
                .hasMessageContaining("at most 3");
    }

    @Test
    void aReportWithLinesNamesTheSlowestOfThoseTimedAndANegativeCountIsRefused() {
        RunReport lines = new RunReport("R", "backup", RunStatus.SUCCEEDED, Map.of("succeeded", 5), Timings.of(List.of()), Map.of(),
                List.of(org("a", 10), org("b", 50), org("c", 0), org("d", 40), org("e", 20)), null, 0);
        assertThat(lines.slowest(5)).extracting(RunReport.Org::orgId).containsExactly("b", "d", "e", "a");
        assertThatThrownBy(() -> lines.slowest(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> summary(List.of()).slowest(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
