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

    /**
     * Why a retried error was thrown without its retry: a Ctrl-C ({@link #cancelledWhen}) cut the backoff before it short.
     * Added to the error as suppressed, so that the error stays the one the pool answered (what its callers classify);
     * {@link #cutShort} finds it, for the work to be told stopped rather than failed.
     */
    public static final class CutShort extends InterruptedException {
        CutShort() {
            super("not retried: interrupted during the backoff");
        }
    }

    /** Whether {@code e}, or an error it was caused by, is one a Ctrl-C left unretried by cutting its backoff short. */
    public static boolean cutShort(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Throwable s : t.getSuppressed()) {
                if (s instanceof CutShort) {
                    return true;
                }
            }
        }
        return false;
    }

    public static final long BASE_MILLIS = 100;
    public static final long CAP_MILLIS = 10_000;
    /** A cancellable backoff sleeps in slices this long, so that Ctrl-C ends it within one. */
    static final long SLICE_MILLIS = 100;
    private static final java.util.function.BooleanSupplier NEVER = () -> false;

    private final int maxAttempts;
    private final long baseMillis;
    private final long capMillis;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final Predicate<Throwable> retryable;
    private final java.util.function.BooleanSupplier cancelled;

    public Retry(int maxAttempts, long baseMillis, long capMillis, Sleeper sleeper, DoubleSupplier random,
                 Predicate<Throwable> retryable) {
        this(maxAttempts, baseMillis, capMillis, sleeper, random, retryable, NEVER);
    }

    private Retry(int maxAttempts, long baseMillis, long capMillis, Sleeper sleeper, DoubleSupplier random,
                  Predicate<Throwable> retryable, java.util.function.BooleanSupplier cancelled) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
        this.maxAttempts = maxAttempts;
        this.baseMillis = baseMillis;
        this.capMillis = capMillis;
        this.sleeper = sleeper;
        this.random = random;
        this.retryable = retryable;
        this.cancelled = cancelled;
    }

    /**
     * The same policy, giving up a backoff within 100 ms once {@code cancelled} says so (Ctrl-C): the error that was
     * being retried is thrown, marked as not retried because of the interrupt ({@link CutShort}).
     */
    public Retry cancelledWhen(java.util.function.BooleanSupplier cancelled) {
        return new Retry(maxAttempts, baseMillis, capMillis, sleeper, random, retryable, cancelled);
    }

    /** Whether the command this policy serves was cancelled (Ctrl-C): a read-only op stops on it between its reads. */
    public boolean cancelled() {
        return cancelled.getAsBoolean();
    }

    /** The FerretDB policy: 6 tries, 100 ms base, 10 s cap, real sleeps, {@link FerretErrors#isRetryable}. */
    public static Retry ferretDefault() {
        return new Retry(6, BASE_MILLIS, CAP_MILLIS, Thread::sleep, Math::random, FerretErrors::isRetryable);
    }

    public Retry withMaxAttempts(int n) {
        return new Retry(n, baseMillis, capMillis, sleeper, random, retryable, cancelled);
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
                long sleep = (long) (random.getAsDouble() * ceilingMillis(attempt));
                try {
                    if (cancelled == NEVER) {
                        sleeper.sleep(sleep);
                    } else {
                        for (long left = sleep; ; left -= SLICE_MILLIS) {
                            if (cancelled.getAsBoolean()) {
                                e.addSuppressed(new CutShort());
                                throw e;
                            }
                            if (left <= 0) {
                                break;
                            }
                            sleeper.sleep(Math.min(left, SLICE_MILLIS));
                        }
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    e.addSuppressed(ie);
                    throw e;
                }
                attempts.retried();
            }
        }
    }

    public void run(Attempts attempts, Runnable action) {
        call(attempts, () -> {
            action.run();
            return null;
        });
    }

    /**
     * As {@link #call(Attempts, Supplier)}, {@code retry} made in place of {@code first} on every attempt after the first:
     * a retry that is a new write checks first that it may still write, or writes otherwise (after a lost reply).
     */
    public <T> T call(Attempts attempts, Supplier<T> first, Supplier<T> retry) {
        boolean[] tried = {false};
        return call(attempts, () -> {
            if (tried[0]) {
                return retry.get();
            }
            tried[0] = true;
            return first.get();
        });
    }

    /** As {@link #call(Attempts, Supplier, Supplier)}, for actions without a result. */
    public void run(Attempts attempts, Runnable first, Runnable retry) {
        call(attempts, () -> {
            first.run();
            return null;
        }, () -> {
            retry.run();
            return null;
        });
    }
}
