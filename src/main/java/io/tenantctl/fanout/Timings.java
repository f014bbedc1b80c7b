package io.tenantctl.fanout;

import java.util.Collection;

/** p50 / p95 / max of per-org wall times, nearest-rank; their count and sum. */
public record Timings(long p50, long p95, long max, int count, long sum) {

    public static final long SLOW_MEDIAN_MILLIS = 500;

    public static Timings of(Collection<Long> millis) {
        long[] xs = millis.stream().mapToLong(Long::longValue).sorted().toArray();
        if (xs.length == 0) {
            return new Timings(0, 0, 0, 0, 0);
        }
        return new Timings(rank(xs, 0.50), rank(xs, 0.95), xs[xs.length - 1], xs.length, java.util.Arrays.stream(xs).sum());
    }

    private static long rank(long[] sorted, double q) {
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    /** The seed investigation's catalog-pressure alarm: median above 500 ms per org. */
    public boolean slow() {
        return count > 0 && p50 > SLOW_MEDIAN_MILLIS;
    }

    @Override
    public String toString() {
        return "p50 " + p50 + " ms, p95 " + p95 + " ms, max " + max + " ms over " + io.tenantctl.Counted.of(count, "org");
    }
}
