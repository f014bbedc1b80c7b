package io.tenantctl.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: 500ms, 30s, 5m, 12h, 7d, at most 36500d (100 years). A bare 0 is zero; any other
 * number needs its unit: a bare one was read as seconds, so '--older-than 30' (meant: 30 days, as the default 30d) purged
 * an org deleted 31 seconds ago.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    /**
     * The longest duration accepted: far beyond any grace period, freeze or age limit, and short enough that now ± it
     * is a time PostgreSQL can store (999999999999d used to reach the catalog as "timestamp out of range", exit 1).
     */
    static final Duration MAX = Duration.ofDays(36_500);

    private static final Pattern FORM = Pattern.compile("^(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)?$");

    @Override
    public Duration convert(String value) {
        Matcher m = FORM.matcher(value.trim());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: write e.g. 500ms, 30s, 5m, 12h or 7d");
        }
        double n = Double.parseDouble(m.group(1));
        if (m.group(2) == null && n != 0) {
            throw new NoUnit(value.trim());
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> n;
            case "s" -> n * 1_000;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 86_400_000;
        };
        if (millis > MAX.toMillis()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too long a duration: at most 36500d (100 years)");
        }
        return Duration.ofMillis(Math.round(millis));
    }

    /** A non-zero number without a unit; said as {@code FLAG VALUE: give a unit (…)} by the one who knows the flag. */
    static final class NoUnit extends CommandLine.TypeConversionException {
        NoUnit(String value) {
            super(value + ": give a unit (" + value + "s, " + value + "m, " + value + "h or " + value + "d)");
        }
    }
}
