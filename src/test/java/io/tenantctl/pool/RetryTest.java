package io.tenantctl.pool;

import com.mongodb.MongoCommandException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryTest {

    private final List<Long> sleeps = new ArrayList<>();

    private Retry retry(int maxAttempts, long base, long cap, double random) {
        return new Retry(maxAttempts, base, cap, sleeps::add, () -> random, FerretErrors::isRetryable);
    }

    private static MongoCommandException deadlock() {
        return FerretErrorsTest.command(1, "deadlock detected");
    }

    @Test
    void backoffIsExponentialWithFullJitterAndCapped() {
        Retry r = retry(8, 100, 1_000, 0.999);
        AtomicInteger calls = new AtomicInteger();
        Retry.Attempts attempts = new Retry.Attempts();
        MongoCommandException error = deadlock();
        assertThatThrownBy(() -> r.call(attempts, () -> {
            calls.incrementAndGet();
            throw error;
        })).isSameAs(error);
        assertThat(calls).hasValue(8);
        assertThat(attempts.attempts()).isEqualTo(8);
        assertThat(sleeps).hasSize(7);
        for (int n = 1; n <= sleeps.size(); n++) {
            long ceiling = Math.min(1_000, 100L << (n - 1));
            assertThat(sleeps.get(n - 1)).as("sleep before retry %d", n).isBetween(0L, ceiling).isGreaterThanOrEqualTo(ceiling * 99 / 100);
        }
        assertThat(sleeps).containsExactly(99L, 199L, 399L, 799L, 999L, 999L, 999L);
    }

    @Test
    void jitterReachesZero() {
        Retry r = retry(4, 100, 10_000, 0.0);
        assertThatThrownBy(() -> r.call(new Retry.Attempts(), () -> {
            throw deadlock();
        })).isInstanceOf(MongoCommandException.class);
        assertThat(sleeps).containsExactly(0L, 0L, 0L);
    }

    @Test
    void ferretDefaultPolicyCeilings() {
        Retry r = Retry.ferretDefault();
        assertThat(r.maxAttempts()).isEqualTo(6);
        assertThat(r.ceilingMillis(1)).isEqualTo(100);
        assertThat(r.ceilingMillis(2)).isEqualTo(200);
        assertThat(r.ceilingMillis(7)).isEqualTo(6_400);
        assertThat(r.ceilingMillis(8)).isEqualTo(10_000);
        assertThat(r.ceilingMillis(1_000)).isEqualTo(10_000);
    }

    @Test
    void succeedsAfterRetriesAndCountsAttempts() {
        Retry r = retry(6, 100, 10_000, 0.5);
        AtomicInteger calls = new AtomicInteger();
        Retry.Attempts attempts = new Retry.Attempts();
        String v = r.call(attempts, () -> {
            if (calls.incrementAndGet() <= 2) {
                throw deadlock();
            }
            return "ok";
        });
        assertThat(v).isEqualTo("ok");
        assertThat(attempts.attempts()).isEqualTo(3);
        assertThat(sleeps).containsExactly(50L, 100L);
    }

    @Test
    void firstTrySuccessIsOneAttemptWithoutSleeping() {
        Retry.Attempts attempts = new Retry.Attempts();
        retry(6, 100, 10_000, 0.999).run(attempts, () -> { });
        assertThat(attempts.attempts()).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void fatalErrorsAreNotRetried() {
        Retry r = retry(6, 100, 10_000, 0.999);
        AtomicInteger calls = new AtomicInteger();
        Retry.Attempts attempts = new Retry.Attempts();
        MongoCommandException dup = FerretErrorsTest.command(11000, "E11000 duplicate key");
        assertThatThrownBy(() -> r.call(attempts, () -> {
            calls.incrementAndGet();
            throw dup;
        })).isSameAs(dup);
        assertThat(calls).hasValue(1);
        assertThat(attempts.attempts()).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void attemptsAccumulateAcrossTheCallsOfOneOrg() {
        Retry r = retry(6, 100, 10_000, 0.0);
        Retry.Attempts attempts = new Retry.Attempts();
        for (int step = 0; step < 2; step++) {
            AtomicInteger calls = new AtomicInteger();
            r.run(attempts, () -> {
                if (calls.incrementAndGet() == 1) {
                    throw deadlock();
                }
            });
        }
        assertThat(attempts.attempts()).isEqualTo(3);
    }

    @Test
    void maxAttemptsOfOneNeverRetries() {
        Retry r = retry(6, 100, 10_000, 0.5).withMaxAttempts(1);
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> r.call(new Retry.Attempts(), () -> {
            calls.incrementAndGet();
            throw deadlock();
        })).isInstanceOf(MongoCommandException.class);
        assertThat(calls).hasValue(1);
        assertThat(sleeps).isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> r.withMaxAttempts(0));
    }

    @Test
    void interruptedSleepGivesUpWithTheOriginalErrorAndKeepsTheFlag() {
        Retry r = new Retry(6, 100, 10_000, ms -> {
            throw new InterruptedException("stop");
        }, () -> 0.5, FerretErrors::isRetryable);
        AtomicInteger calls = new AtomicInteger();
        MongoCommandException error = deadlock();
        try {
            assertThatThrownBy(() -> r.call(new Retry.Attempts(), () -> {
                calls.incrementAndGet();
                throw error;
            })).isSameAs(error).satisfies(e -> assertThat(e.getSuppressed()).hasAtLeastOneElementOfType(InterruptedException.class));
            assertThat(calls).hasValue(1);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aBackoffEndsWithinASecondOfCtrlC() {
        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        // a 10 s backoff (random 1.0 of a 10 s base), really slept; Ctrl-C comes with the first failure
        Retry retry = new Retry(6, 10_000, 10_000, Thread::sleep, () -> 1.0, FerretErrors::isRetryable).cancelledWhen(cancelled::get);
        Retry.Attempts attempts = new Retry.Attempts();
        long t0 = System.nanoTime();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> retry.call(attempts, () -> {
            cancelled.set(true);
            throw deadlock();
        })).satisfies(e -> assertThat(e.getSuppressed()[0].getMessage()).contains("interrupted during the backoff"));
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).isLessThan(java.time.Duration.ofSeconds(1));
        assertThat(attempts.attempts()).as("tried once, not retried").isEqualTo(1);
    }

    /**
     * The error a Ctrl-C left unretried is told apart, through whatever wraps it (a verb's failure of its org), from one
     * that failed for good (its tries used up): the run engine records the first as interrupted, not failed.
     */
    @Test
    void anErrorLeftUnretriedByCtrlCIsToldApartFromOneThatFailedForGood() {
        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        Retry retry = new Retry(2, 1000, 1000, millis -> { }, () -> 1.0, FerretErrors::isRetryable).cancelledWhen(cancelled::get);
        Throwable exhausted = org.assertj.core.api.Assertions.catchThrowable(() -> retry.call(new Retry.Attempts(), () -> {
            throw deadlock();
        }));
        assertThat(Retry.cutShort(new IllegalStateException("an org failed", exhausted))).as("tries used up, no Ctrl-C").isFalse();
        Throwable stopped = org.assertj.core.api.Assertions.catchThrowable(() -> retry.call(new Retry.Attempts(), () -> {
            cancelled.set(true);
            throw deadlock();
        }));
        assertThat(Retry.cutShort(new IllegalStateException("an org failed", stopped))).as("its backoff cut short by Ctrl-C").isTrue();
    }

    @Test
    void withoutCtrlCTheCancellableBackoffSleepsItsWholeLength() {
        List<Long> slept = new ArrayList<>();
        Retry retry = new Retry(2, 1000, 1000, slept::add, () -> 0.75, FerretErrors::isRetryable).cancelledWhen(() -> false);
        int[] calls = {0};
        retry.call(new Retry.Attempts(), () -> {
            if (calls[0]++ == 0) {
                throw deadlock();
            }
            return null;
        });
        assertThat(slept.stream().mapToLong(Long::longValue).sum()).isEqualTo(750);
    }
}
