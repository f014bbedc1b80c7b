package io.tenantctl.ops.run;

/**
 * When a run gives up: --max-failures (a count, or a percentage of the selected orgs) and the canary (the first N
 * orgs, spread over the pools, done before the rest are released).
 */
public record Budget(int allowed, boolean limited, String spec, int canary) {

    public static final Budget NONE = new Budget(Integer.MAX_VALUE, false, null, 0);

    /** The budget of a run of {@code selected} orgs; {@code maxFailures} null = no limit. */
    public static Budget of(MaxFailures maxFailures, int selected, int canary) {
        if (maxFailures == null) {
            return new Budget(Integer.MAX_VALUE, false, null, canary);
        }
        return new Budget(maxFailures.allowed(selected), true, maxFailures.spec(), canary);
    }
}
