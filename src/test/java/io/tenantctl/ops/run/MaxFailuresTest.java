package io.tenantctl.ops.run;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * --max-failures P% tolerates the floor of P% of the selected orgs, P as the operator wrote it: 18.4% of 375 orgs is
 * 69 failures. Computed in binary floating point it was 68 (375 × 18.4 = 6899.999…), one fewer than asked for, and
 * the run aborted one failure early (2,442 of the 100 million pairs of 0.01%..100% and 1..10,000 orgs).
 */
class MaxFailuresTest {

    @ParameterizedTest(name = "{0}% of {1} selected tolerates {2}")
    @CsvSource({
            "18.4, 375, 69",
            "85.6, 375, 321",
            "2.3, 1000, 23",
            "0.7, 1000, 7",
            "5.1, 1000, 51",
            "30, 7, 2",
            "2, 10, 0",
            "100, 3, 3",
            "0.1, 999, 0",
    })
    void aPercentageToleratesTheFloorOfExactlyThatShareOfTheSelectedOrgs(String percent, int selected, int allowed) {
        MaxFailures parsed = MaxFailures.stored(percent + "%");
        assertThat(parsed.allowed(selected)).isEqualTo(allowed);
        assertThat(MaxFailures.stored(parsed.spec()).allowed(selected)).as("as a run stores it for its other workers").isEqualTo(allowed);
    }
}
