package io.tenantctl.ops;

import io.tenantctl.TenantctlException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;

/** Reads that do not depend on each other (pool stats, org sizes), a few at once, for commands that only look. */
final class Parallel {

    private Parallel() {
    }

    /** Daemon threads called {@code name}: a read that hangs on a dead server never keeps the JVM from exiting. */
    static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * {@code work} done on every item, {@code threads} at a time, on daemon threads called {@code name}; the results in
     * the items' order. A failure of {@code work} is rethrown as it was thrown; an interrupt is an INTERRUPTED failure
     * ("interrupted while " + {@code doing}).
     */
    static <T, R> List<R> map(String name, int threads, List<T> items, Function<T, R> work, String doing) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, items.size())), daemon(name));
        try {
            List<Future<R>> futures = new ArrayList<>();
            items.forEach(item -> futures.add(pool.submit(() -> work.apply(item))));
            List<R> out = new ArrayList<>();
            for (Future<R> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TenantctlException(TenantctlException.Category.INTERRUPTED, "interrupted while " + doing);
        } finally {
            pool.shutdownNow();
        }
    }
}
