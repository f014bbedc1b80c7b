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

    /**
     * Found by probing: a date already past was refused with "--until must be in the future (by the catalog's clock)",
     * naming neither the time it read (a date is that day's 00:00 UTC, so today's date is past too) nor the catalog's now.
     */
    @Test
    void aTimeAlreadyPastSaysWhatItReadAndWhatToGive() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        Cli.Result r = cli.run("verify", "ack", "f-0000000000", "--until", "2000-01-01", "--reason", "past");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).as(r.toString()).contains("--until 2000-01-01T00:00:00Z is already past by the catalog's clock (now 20")
                .contains("give a later date, or a duration from now such as 7d").hasLineCount(1);
    }
}
