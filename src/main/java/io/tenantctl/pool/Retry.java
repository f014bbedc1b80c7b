package io.tenantctl.pool;

import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Exponential backoff with full jitter: before try n+1 it sleeps random(0, min(cap, base × 2^n)). Only errors
 * the classifier calls retryable are retried, at most {@code maxAttempts} tries in all. Clock and randomness are
 * injected so tests neither sleep nor depend on chance.
 */
public final class Retry {

    /** How to sleep; production uses Thread.sleep. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    /**
     * Attempts of one unit of work (an org) across all the calls it makes: 1 plus every retry taken, so an org
     * whose createIndexes deadlocked twice and then succeeded made 3 attempts.
     */
    public static final class Attempts {
        private int retries;

        public synchronized int attempts() {
            return 1 + retries;
        }

        synchronized void retried() {
            retries++;
        }
    }

    public static final long BASE_MILLIS = 100;
    public static final long CAP_MILLIS = 10_000;

    private final int maxAttempts;
    private final long baseMillis;
    private final long capMillis;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final Predicate<Throwable> retryable;

    public Retry(int maxAttempts, long baseMillis, long capMillis, Sleeper sleeper, DoubleSupplier random,
                 Predicate<Throwable> retryable) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
        this.maxAttempts = maxAttempts;
        this.baseMillis = baseMillis;
        this.capMillis = capMillis;
        this.sleeper = sleeper;
        this.random = random;
        this.retryable = retryable;
    }

    /** The FerretDB policy: 6 tries, 100 ms base, 10 s cap, real sleeps, {@link FerretErrors#isRetryable}. */
    public static Retry ferretDefault() {
        return new Retry(6, BASE_MILLIS, CAP_MILLIS, Thread::sleep, Math::random, FerretErrors::isRetryable);
    }

    public Retry withMaxAttempts(int n) {
        return new Retry(n, baseMillis, capMillis, sleeper, random, retryable);
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** The longest sleep before retry number {@code retry} (1-based). */
    public long ceilingMillis(int retry) {
        double exp = baseMillis * Math.pow(2, Math.min(retry - 1, 40));
        return (long) Math.min(capMillis, exp);
    }

    public <T> T call(Attempts attempts, Supplier<T> action) {
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (RuntimeException e) {
                if (attempt >= maxAttempts || !retryable.test(e)) {
                    throw e;
                }
                attempts.retried();
                long sleep = (long) (random.getAsDouble() * ceilingMillis(attempt));
                try {
                    sleeper.sleep(sleep);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    e.addSuppressed(ie);
                    throw e;
                }
            }
        }
    }

    public void run(Attempts attempts, Runnable action) {
        call(attempts, () -> {
            action.run();
            return null;
        });
    }
}
