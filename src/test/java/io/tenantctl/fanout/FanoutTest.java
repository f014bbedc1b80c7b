package io.tenantctl.fanout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class FanoutTest {

    /** Work that records how many items run at once, overall and per group, and holds every item until the gate opens. */
    private static final class Gauge implements Fanout.Work<String> {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final Map<String, AtomicInteger> runningByGroup = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> maxByGroup = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch peak;

        Gauge(int expectedPeak) {
            peak = new CountDownLatch(expectedPeak);
        }

        @Override
        public String run(Fanout.Item item) throws Exception {
            runs.computeIfAbsent(item.id(), k -> new AtomicInteger()).incrementAndGet();
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            AtomicInteger g = runningByGroup.computeIfAbsent(item.group(), k -> new AtomicInteger());
            int inGroup = g.incrementAndGet();
            maxByGroup.computeIfAbsent(item.group(), k -> new AtomicInteger()).accumulateAndGet(inGroup, Math::max);
            peak.countDown();
            try {
                if (!gate.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gate never opened");
                }
                return item.id().toUpperCase();
            } finally {
                g.decrementAndGet();
                running.decrementAndGet();
            }
        }
    }

    private static List<Fanout.Item> items(int groups, int perGroup) {
        List<Fanout.Item> out = new ArrayList<>();
        for (int i = 0; i < perGroup; i++) {
            for (int g = 0; g < groups; g++) {
                out.add(new Fanout.Item("org-" + g + "-" + i, "pool-" + g));
            }
        }
        return out;
    }

    /** Runs the fan-out in the background, waits until {@code expectedPeak} items are in flight, then opens the gate. */
    private static Fanout.Result<String> runToPeak(List<Fanout.Item> items, Fanout.Settings settings, Gauge gauge) throws Exception {
        CompletableFuture<Fanout.Result<String>> f = CompletableFuture.supplyAsync(() ->
                Fanout.run(items, settings, gauge, new Fanout.Listener<>() {
                }, new CancelToken()));
        assertThat(gauge.peak.await(20, TimeUnit.SECONDS)).as("expected number of items in flight at once").isTrue();
        gauge.gate.countDown();
        return f.get(20, TimeUnit.SECONDS);
    }

    @Test
    void globalLimitBindsWhenLowerThanPoolsTimesPerPool() throws Exception {
        Gauge gauge = new Gauge(5);
        List<Fanout.Item> items = items(3, 10);
        Fanout.Result<String> r = runToPeak(items, new Fanout.Settings(2, 5, 0), gauge);
        assertThat(gauge.maxRunning).hasValue(5);
        assertThat(gauge.maxByGroup.values()).allSatisfy(m -> assertThat(m.get()).isLessThanOrEqualTo(2));
        assertEveryItemExactlyOnce(items, r, gauge);
    }

    @Test
    void perPoolLimitBindsWhenLowerThanGlobal() throws Exception {
        Gauge gauge = new Gauge(6);
        List<Fanout.Item> items = items(3, 8);
        Fanout.Result<String> r = runToPeak(items, new Fanout.Settings(2, 16, 0), gauge);
        assertThat(gauge.maxRunning).hasValue(6);
        assertThat(gauge.maxByGroup).hasSize(3);
        assertThat(gauge.maxByGroup.values()).allSatisfy(m -> assertThat(m.get()).isEqualTo(2));
        assertEveryItemExactlyOnce(items, r, gauge);
    }

    @Test
    void oneBusyPoolDoesNotStarveTheOthers() throws Exception {
        // 20 items on one pool listed first, then one each on two others: with perGroup 1 all three pools run at once
        List<Fanout.Item> items = new ArrayList<>();
        IntStream.range(0, 20).forEach(i -> items.add(new Fanout.Item("big-" + i, "big")));
        items.add(new Fanout.Item("small-a", "a"));
        items.add(new Fanout.Item("small-b", "b"));
        Gauge gauge = new Gauge(3);
        Fanout.Result<String> r = runToPeak(items, new Fanout.Settings(1, 16, 0), gauge);
        assertThat(gauge.maxRunning).hasValue(3);
        assertEveryItemExactlyOnce(items, r, gauge);
    }

    private static void assertEveryItemExactlyOnce(List<Fanout.Item> items, Fanout.Result<String> r, Gauge gauge) {
        assertThat(r.cancelled()).isFalse();
        assertThat(r.notStarted()).isEmpty();
        assertThat(r.outcomes()).hasSameSizeAs(items);
        assertThat(r.outcomes()).extracting(o -> o.item().id()).containsExactlyInAnyOrderElementsOf(items.stream().map(Fanout.Item::id).toList());
        assertThat(r.outcomes()).allSatisfy(o -> {
            assertThat(o.ok()).isTrue();
            assertThat(o.value()).isEqualTo(o.item().id().toUpperCase());
        });
        assertThat(gauge.runs).hasSize(items.size());
        assertThat(gauge.runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(gauge.running).hasValue(0);
    }

    @Test
    void failuresAreOutcomesNotAborts() {
        List<Fanout.Item> items = items(2, 5);
        Fanout.Result<String> r = Fanout.run(items, new Fanout.Settings(2, 4, 0), item -> {
            if (item.id().endsWith("-3")) {
                throw new IllegalStateException("boom " + item.id());
            }
            return "ok";
        }, new Fanout.Listener<>() {
        }, new CancelToken());
        assertThat(r.outcomes()).hasSize(10);
        assertThat(r.outcomes()).filteredOn(o -> !o.ok()).extracting(o -> o.item().id())
                .containsExactlyInAnyOrder("org-0-3", "org-1-3");
        assertThat(r.outcomes()).filteredOn(o -> !o.ok()).allSatisfy(o -> assertThat(o.error()).hasMessageStartingWith("boom"));
    }

    @Test
    void listenerSeesEveryStartAndFinish() {
        List<Fanout.Item> items = items(3, 4);
        Map<String, Integer> started = new ConcurrentHashMap<>();
        Map<String, Integer> finished = new ConcurrentHashMap<>();
        Fanout.run(items, Fanout.Settings.DEFAULT, item -> null, new Fanout.Listener<Object>() {
            @Override
            public void started(Fanout.Item item) {
                started.merge(item.id(), 1, Integer::sum);
            }

            @Override
            public void finished(Fanout.Outcome<Object> outcome) {
                finished.merge(outcome.item().id(), 1, Integer::sum);
            }
        }, new CancelToken());
        Map<String, Integer> once = items.stream().collect(Collectors.toMap(Fanout.Item::id, i -> 1));
        assertThat(started).isEqualTo(once);
        assertThat(finished).isEqualTo(once);
    }

    @Test
    void cancellationStopsNewItemsLetsInFlightFinishAndReportsTheRest() {
        List<Fanout.Item> items = IntStream.range(0, 10).mapToObj(i -> new Fanout.Item("org-" + i, "pool")).toList();
        CancelToken cancel = new CancelToken();
        AtomicInteger ran = new AtomicInteger();
        Fanout.Result<String> r = Fanout.run(items, new Fanout.Settings(1, 1, 0), item -> {
            if (ran.incrementAndGet() == 3) {
                cancel.cancel("operator pressed Ctrl-C");
            }
            return "done";
        }, new Fanout.Listener<>() {
        }, cancel);
        assertThat(r.cancelled()).isTrue();
        assertThat(ran).hasValue(3);
        assertThat(r.outcomes()).extracting(o -> o.item().id()).containsExactly("org-0", "org-1", "org-2");
        assertThat(r.outcomes()).allSatisfy(o -> assertThat(o.ok()).isTrue());
        assertThat(r.notStarted()).extracting(Fanout.Item::id).containsExactly("org-3", "org-4", "org-5", "org-6", "org-7", "org-8", "org-9");
        assertThat(cancel.reason()).isEqualTo("operator pressed Ctrl-C");
    }

    @Test
    void cancellationWithManyInFlightWaitsForAllOfThem() throws Exception {
        List<Fanout.Item> items = items(2, 10);
        CancelToken cancel = new CancelToken();
        CountDownLatch inFlight = new CountDownLatch(4);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger finishedWork = new AtomicInteger();
        CompletableFuture<Fanout.Result<String>> f = CompletableFuture.supplyAsync(() -> Fanout.run(items, new Fanout.Settings(2, 4, 0), item -> {
            inFlight.countDown();
            gate.await(20, TimeUnit.SECONDS);
            finishedWork.incrementAndGet();
            return "x";
        }, new Fanout.Listener<>() {
        }, cancel));
        assertThat(inFlight.await(20, TimeUnit.SECONDS)).isTrue();
        cancel.cancel("test");
        gate.countDown();
        Fanout.Result<String> r = f.get(20, TimeUnit.SECONDS);
        assertThat(r.cancelled()).isTrue();
        assertThat(r.outcomes()).hasSize(finishedWork.get()).hasSize(4);
        assertThat(r.notStarted()).hasSize(16);
        List<String> all = new ArrayList<>(r.outcomes().stream().map(o -> o.item().id()).toList());
        r.notStarted().forEach(i -> all.add(i.id()));
        assertThat(all).containsExactlyInAnyOrderElementsOf(items.stream().map(Fanout.Item::id).toList());
    }

    @Test
    void cancelledBeforeStartRunsNothing() {
        CancelToken cancel = new CancelToken();
        cancel.cancel("already");
        cancel.cancel("second reason is ignored");
        List<Fanout.Item> items = items(2, 2);
        Fanout.Result<String> r = Fanout.run(items, Fanout.Settings.DEFAULT, item -> {
            throw new AssertionError("must not run");
        }, new Fanout.Listener<>() {
        }, cancel);
        assertThat(r.outcomes()).isEmpty();
        assertThat(r.notStarted()).hasSize(4);
        assertThat(cancel.reason()).isEqualTo("already");
    }

    @Test
    void emptyInputIsAnEmptyResult() {
        Fanout.Result<String> r = Fanout.run(List.of(), Fanout.Settings.DEFAULT, item -> "x", new Fanout.Listener<>() {
        }, new CancelToken());
        assertThat(r.outcomes()).isEmpty();
        assertThat(r.notStarted()).isEmpty();
        assertThat(r.cancelled()).isFalse();
    }

    @Test
    void settingsRefuseNonsense() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new Fanout.Settings(0, 16, 0));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new Fanout.Settings(4, 0, 0));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new Fanout.Settings(4, 16, -1));
    }

    @Test
    void timingsAreNearestRank() {
        List<Long> oneToHundred = IntStream.rangeClosed(1, 100).mapToObj(i -> (long) i).collect(Collectors.toList());
        java.util.Collections.shuffle(oneToHundred, new java.util.Random(7));
        Timings t = Timings.of(oneToHundred);
        assertThat(t.p50()).isEqualTo(50);
        assertThat(t.p95()).isEqualTo(95);
        assertThat(t.max()).isEqualTo(100);
        assertThat(t.count()).isEqualTo(100);

        Timings twenty = Timings.of(IntStream.rangeClosed(1, 20).mapToObj(i -> i * 10L).toList());
        assertThat(twenty.p50()).isEqualTo(100);  // rank ceil(0.5*20)=10
        assertThat(twenty.p95()).isEqualTo(190);  // rank ceil(0.95*20)=19
        assertThat(twenty.max()).isEqualTo(200);

        Timings three = Timings.of(List.of(900L, 10L, 20L));
        assertThat(three.p50()).isEqualTo(20);   // rank 2
        assertThat(three.p95()).isEqualTo(900);  // rank 3
        assertThat(three.slow()).isFalse();

        Timings one = Timings.of(List.of(42L));
        assertThat(List.of(one.p50(), one.p95(), one.max())).containsOnly(42L);

        Timings none = Timings.of(List.of());
        assertThat(none.count()).isZero();
        assertThat(none.slow()).isFalse();
    }

    @Test
    void slowMeansMedianAbove500Millis() {
        assertThat(Timings.of(List.of(501L, 501L, 10L)).slow()).isTrue();
        assertThat(Timings.of(List.of(500L, 500L, 10_000L)).slow()).isFalse();
    }
}
