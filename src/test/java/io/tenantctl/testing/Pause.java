package io.tenantctl.testing;

import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker stopped (kill -STOP) in one of its calls, for a test to act meanwhile and then {@link #wake} it (kill -CONT):
 * a hook calls {@link #call()} before each call it watches, and the {@code n}th waits there until woken (or 60 s). Woken,
 * that call goes on, or — {@link #thenConnectionLost()} — fails as its connection, cut while it was stopped, would.
 * Closing it wakes the worker, so that a failed test leaves none waiting.
 */
public final class Pause implements AutoCloseable {

    private final int at;
    private final boolean connectionLost;
    private final AtomicInteger calls = new AtomicInteger();
    private final CompletableFuture<Void> paused = new CompletableFuture<>();
    private final CountDownLatch wake = new CountDownLatch(1);

    private Pause(int at, boolean connectionLost) {
        this.at = at;
        this.connectionLost = connectionLost;
    }

    /** Stops the {@code n}th call (from 1); woken, it goes on. */
    public static Pause at(int n) {
        return new Pause(n, false);
    }

    /** This pause, except that the woken call fails: "Prematurely reached end of stream", nothing of it made. */
    public Pause thenConnectionLost() {
        return new Pause(at, true);
    }

    /** The hook: counts a call, and stops the {@code n}th until woken. */
    public void call() {
        if (calls.incrementAndGet() != at) {
            return;
        }
        paused.complete(null);
        try {
            wake.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (connectionLost) {
            throw new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
        }
    }

    /** A hook for {@link HookedPools#aroundCollectionCall}: each call on {@code collection} is one of this pause's calls. */
    public HookedPools.Around on(String collection) {
        return (name, args, made) -> {
            if (name.equals(collection)) {
                call();
            }
            return made.get();
        };
    }

    /** Whether the worker reached its stopping call (and waits there) within 60 s. */
    public boolean awaitPaused() throws InterruptedException {
        try {
            paused.get(60, TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    /** Asserts that the worker reached its stopping call (and waits there) within 60 s; {@code where} says which. */
    public void awaitPaused(String where) {
        assertThat(paused).as(where).succeedsWithin(Duration.ofSeconds(60));
    }

    /** Done once the worker waits in its stopping call: to wait for that or for something else. */
    public CompletableFuture<Void> paused() {
        return paused;
    }

    /** kill -CONT. */
    public void wake() {
        wake.countDown();
    }

    /** The calls made after the stopped one, which was the last before the worker was woken. */
    public int callsAfterIt() {
        return Math.max(0, calls.get() - at);
    }

    @Override
    public void close() {
        wake();
    }
}
