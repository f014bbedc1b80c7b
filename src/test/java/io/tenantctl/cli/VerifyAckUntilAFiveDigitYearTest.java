package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left by an earlier session: 'verify ack … --until 10000-01-01' said "not a date", while far-ahead values in the other
 * forms ("+1000000-01-01T00:00:00Z", "999999999999d") say "too far ahead: at most 9999-12-31". A date or instant with a
 * year of five digits or more, written without the ISO sign, is read as that year and refused as too far ahead too.
 */
class VerifyAckUntilAFiveDigitYearTest {

    @Test
    void aYearPast9999IsTooFarAheadInEveryForm() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        for (String tooFar : List.of("10000-01-01", "10000-01-01T00:00:00Z", "+10000-01-01", "123456-06-30")) {
            Cli.Result r = cli.run("verify", "ack", "f-0000000000", "--until", tooFar, "--reason", "far");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains("--until '" + tooFar + "' is too far ahead: at most 9999-12-31")
                    .doesNotContain("not a date");
        }
        Cli.Result invalid = cli.run("verify", "ack", "f-0000000000", "--until", "10000-13-01", "--reason", "far");
        assertThat(invalid.exitCode()).as(invalid.toString()).isEqualTo(2);
        assertThat(invalid.err()).as(invalid.toString()).doesNotContain("too far ahead");
    }
}
