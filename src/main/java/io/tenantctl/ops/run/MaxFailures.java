package io.tenantctl.ops.run;

/**
 * --max-failures: a count of failed orgs, or a percentage of the selected ones, past which a run gives up on the rest.
 * Parsed from the command line by the cli; {@link #spec()} is how a run stores it for its other workers.
 */
public record MaxFailures(Integer count, Double percent) {

    public static MaxFailures count(int n) {
        return new MaxFailures(n, null);
    }

    public static MaxFailures percent(double p) {
        return new MaxFailures(null, p);
    }

    /** How many failures are tolerated among {@code selected} orgs. */
    public int allowed(int selected) {
        // in decimal, as written: in binary floating point 18.4% of 375 came to 68.999… and floored one short
        return count != null ? count : java.math.BigDecimal.valueOf(percent).multiply(java.math.BigDecimal.valueOf(selected))
                .movePointLeft(2).setScale(0, java.math.RoundingMode.FLOOR).intValueExact();
    }

    /** As written: "5" or "2%". */
    public String spec() {
        return count != null ? String.valueOf(count) : (percent == Math.rint(percent) ? String.valueOf(percent.intValue()) : String.valueOf(percent)) + "%";
    }

    /** Reads what {@link #spec()} stored on a run (already validated when the run was created); null stays null. */
    public static MaxFailures stored(String spec) {
        if (spec == null || spec.isBlank()) {
            return null;
        }
        return spec.endsWith("%") ? percent(Double.parseDouble(spec.substring(0, spec.length() - 1))) : count(Integer.parseInt(spec));
    }
}
