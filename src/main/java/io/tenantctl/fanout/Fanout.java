package io.tenantctl.fanout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs one piece of work per item across groups (pools): at most {@code perGroup} items of a group and
 * {@code concurrency} items overall at once, groups served round-robin so no pool waits behind another, and
 * optionally at most {@code ratePerGroup} starts per second per group. Knows nothing of what the work is.
 */
public final class Fanout {

    /** Limits. {@code ratePerGroup} of 0 means unlimited. */
    public record Settings(int perGroup, int concurrency, double ratePerGroup) {
        public static final Settings DEFAULT = new Settings(4, 16, 0);

        public Settings {
            if (perGroup < 1 || concurrency < 1) {
                throw new IllegalArgumentException("per-pool and concurrency must be at least 1");
            }
            if (ratePerGroup < 0) {
                throw new IllegalArgumentException("rate must not be negative");
            }
        }
    }

    /** One unit of work: an id (an org) and the group it belongs to (its pool). */
    public record Item(String id, String group) {
    }

    /** How an item ended: a value or an error, and its wall time. */
    public record Outcome<R>(Item item, R value, Throwable error, long millis) {
        public boolean ok() {
            return error == null;
        }
    }

    /** Everything that finished, and what was never started because the run was cancelled. */
    public record Result<R>(List<Outcome<R>> outcomes, List<Item> notStarted, boolean cancelled) {
    }

    @FunctionalInterface
    public interface Work<R> {
        R run(Item item) throws Exception;
    }

    /** Called from worker threads; implementations must be thread-safe. */
    public interface Listener<R> {
        default void started(Item item) {
        }

        default void finished(Outcome<R> outcome) {
        }
    }

    private Fanout() {
    }

    /** The longest start interval kept: ~73 years, so that a start time plus it stays a time (System.nanoTime). */
    private static final long MAX_INTERVAL_NANOS = Long.MAX_VALUE / 4;

    /**
     * Nanoseconds between two starts in a group at {@code ratePerSecond} (0: no limit), capped rather than saturated:
     * {@code (long) (1e9 / rate)} of a tiny rate was Long.MAX_VALUE, and the next start time after it overflowed into
     * the past, so the tiniest rates meant no limit at all.
     */
    public static long intervalNanos(double ratePerSecond) {
        return ratePerSecond > 0 ? (long) Math.min(1e9 / ratePerSecond, MAX_INTERVAL_NANOS) : 0;
    }

    /** {@code start + intervalNanos}, saturating at the largest time instead of wrapping into the past. */
    public static long later(long start, long intervalNanos) {
        long sum = start + intervalNanos;
        return intervalNanos > 0 && sum < start ? Long.MAX_VALUE : sum;
    }

    public static <R> Result<R> run(List<Item> items, Settings settings, Work<R> work, Listener<R> listener, CancelToken cancel) {
        Map<String, Deque<Item>> queues = new LinkedHashMap<>();
        for (Item item : items) {
            queues.computeIfAbsent(item.group(), g -> new ArrayDeque<>()).add(item);
        }
        List<String> groups = new ArrayList<>(queues.keySet());
        Map<String, Integer> inflight = new HashMap<>();
        Map<String, Long> nextStartNanos = new HashMap<>();
        long intervalNanos = intervalNanos(settings.ratePerGroup());
        List<Outcome<R>> outcomes = new ArrayList<>();
        ReentrantLock lock = new ReentrantLock();
        Condition changed = lock.newCondition();
        AtomicInteger running = new AtomicInteger();
        int threads = Math.max(1, Math.min(settings.concurrency(), items.size()));
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "fanout-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        int cursor = 0;
        lock.lock();
        try {
            while (!cancel.isCancelled() && queues.values().stream().anyMatch(q -> !q.isEmpty())) {
                long now = System.nanoTime();
                long wait = TimeUnit.MILLISECONDS.toNanos(100);
                Item next = null;
                if (running.get() < settings.concurrency()) {
                    for (int i = 0; i < groups.size() && next == null; i++) {
                        String g = groups.get((cursor + i) % groups.size());
                        Deque<Item> q = queues.get(g);
                        if (q.isEmpty() || inflight.getOrDefault(g, 0) >= settings.perGroup()) {
                            continue;
                        }
                        long due = nextStartNanos.getOrDefault(g, now);
                        if (due > now) {
                            wait = Math.min(wait, due - now);
                            continue;
                        }
                        next = q.poll();
                        cursor = (cursor + i + 1) % groups.size();
                        inflight.merge(g, 1, Integer::sum);
                        if (intervalNanos > 0) {
                            nextStartNanos.put(g, later(Math.max(due, now), intervalNanos));
                        }
                    }
                }
                if (next == null) {
                    changed.awaitNanos(wait);
                    continue;
                }
                running.incrementAndGet();
                Item item = next;
                pool.execute(() -> {
                    listener.started(item);
                    long t0 = System.nanoTime();
                    R value = null;
                    Throwable error = null;
                    try {
                        value = work.run(item);
                    } catch (Throwable t) {
                        error = t;
                    }
                    Outcome<R> outcome = new Outcome<>(item, value, error, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                    try {
                        listener.finished(outcome);
                    } finally {
                        lock.lock();
                        try {
                            outcomes.add(outcome);
                            inflight.merge(item.group(), -1, Integer::sum);
                            running.decrementAndGet();
                            changed.signalAll();
                        } finally {
                            lock.unlock();
                        }
                    }
                });
            }
            while (running.get() > 0) {
                changed.awaitUninterruptibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel.cancel("interrupted");
            while (running.get() > 0) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
            pool.shutdown();
        }
        List<Item> notStarted = new ArrayList<>();
        queues.values().forEach(notStarted::addAll);
        return new Result<>(List.copyOf(outcomes), notStarted, cancel.isCancelled());
    }
}
