package io.tenantctl.ops.run;

import io.tenantctl.TenantctlException;

/**
 * When a run gives up: --max-failures (a count, or a percentage of the selected orgs) and the canary (the first N
 * orgs, spread over the pools, done before the rest are released).
 */
public record Budget(int allowed, boolean limited, String spec, int canary) {

    public static final Budget NONE = new Budget(Integer.MAX_VALUE, false, null, 0);

    /** Parses "5" or "2%" of {@code selected}; null or blank = no limit. */
    public static Budget parse(String spec, int selected, int canary) {
        if (canary < 0) {
            throw TenantctlException.usage("--canary must not be negative");
        }
        if (spec == null || spec.isBlank()) {
            return new Budget(Integer.MAX_VALUE, false, null, canary);
        }
        try {
            if (spec.endsWith("%")) {
                double pct = Double.parseDouble(spec.substring(0, spec.length() - 1));
                if (pct < 0 || pct > 100) {
                    throw new NumberFormatException();
                }
                return new Budget((int) Math.floor(selected * pct / 100.0), true, spec, canary);
            }
            int n = Integer.parseInt(spec);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return new Budget(n, true, spec, canary);
        } catch (NumberFormatException e) {
            throw TenantctlException.usage("--max-failures must be a count (5) or a percentage (2%), not '" + spec + "'");
        }
    }
}
