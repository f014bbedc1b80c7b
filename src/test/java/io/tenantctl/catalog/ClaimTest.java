package io.tenantctl.catalog;

import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link RunRepository#claimOne} hands a worker, straight on the catalog: an item whose worker died before the next
 * pending one, never a pool past --per-pool (counted over every worker of the run), nothing once the run is over; and
 * what handing a claimed item back, then failing it for its busy org, leaves of an item another command ended.
 */
class ClaimTest {

    private Catalog catalog;
    private RunRepository runs;

    @BeforeEach
    void open() {
        catalog = Catalog.connect(TestCatalog.initialisedDatabase());
        runs = catalog.runs();
    }

    @AfterEach
    void close() {
        if (catalog != null) {
            catalog.close();
        }
    }

    private String run(String... orgAtPool) {
        List<RunRepository.NewItem> items = new ArrayList<>();
        for (String s : orgAtPool) {
            String[] p = s.split("@");
            items.add(new RunRepository.NewItem(p[0], p.length > 1 ? p[1] : null, items.size(), ItemStatus.PENDING, null));
        }
        return runs.start("backup", "{}", "test", items, null);
    }

    private String claim(String runId, String worker, int perPool) {
        return runs.claimOne(runId, worker, perPool, 60).map(RunRepository.Claimed::orgId).orElse("(none)");
    }

    @Test
    void itemsComeInOrderAndAPoolAtItsLimitIsPassedOverForTheNextPool() {
        String runId = run("a1@p1", "a2@p1", "b1@p2", "a3@p1", "b2@p2");

        assertThat(claim(runId, "w1", 2)).isEqualTo("a1");
        assertThat(claim(runId, "w2", 2)).isEqualTo("a2");
        assertThat(claim(runId, "w1", 2)).as("p1 has 2 in flight (two workers): its a3 waits").isEqualTo("b1");
        assertThat(claim(runId, "w2", 2)).isEqualTo("b2");
        assertThat(claim(runId, "w1", 2)).as("both pools full").isEqualTo("(none)");

        runs.claimedItemFinished(runId, "a1", "w1", "succeeded", 1, 5, null, null);
        assertThat(claim(runId, "w2", 2)).as("a place on p1 again").isEqualTo("a3");
    }

    @Test
    void aNewRunsItemsAreTakenInTurnAcrossThePoolsACanaryFirstAndThoseEndedLast() {
        List<RunRepository.NewItem> items = new ArrayList<>();
        for (String s : List.of("a1@p1", "a2@p1", "x@p2", "b1@p2", "a3@p1", "c1@", "b2@p2")) {
            String[] p = s.split("@", -1);
            items.add(p[0].equals("x") ? RunRepository.NewItem.ended("x", "p2", ItemStatus.FAILED, "org is deleting")
                    : RunRepository.NewItem.toDo(p[0], p[1].isEmpty() ? null : p[1]));
        }
        String runId = runs.start("migrate-all", () -> "{}", "test", RunRepository.Items.of(items), 2, () -> null, null);

        List<String> inOrder = catalog.inConnection(c -> Sql.query(c, "select org_id || ' ' || status from run_items where run_id = ? order by seq",
                rs -> rs.getString(1), runId));
        assertThat(inOrder)
                .as("each pool's first, the pools as they first came, then each one's second, ...; two pending, the rest held; x last")
                .containsExactly("a1 pending", "b1 pending", "c1 held", "a2 held", "b2 held", "a3 held", "x failed");
    }

    @Test
    void anItemWhoseWorkerDiedIsTakenOverBeforeTheNextPendingOne() {
        String runId = run("a1@p1", "a2@p1", "a3@p1");
        assertThat(claim(runId, "dead", 4)).isEqualTo("a1");
        runs.expireHolder(runId, "dead", "not finished: the run stopped: the store is full", 0);

        RunRepository.Claimed taken = runs.claimOne(runId, "w2", 4, 60).orElseThrow();
        assertThat(taken.orgId()).isEqualTo("a1");
        assertThat(taken.poolId()).isEqualTo("p1");
        assertThat(runs.itemError(runId, "a1")).as("retried now (a --join): the dead worker's stop no longer says what it is").isEmpty();
        assertThat(claim(runId, "w2", 4)).isEqualTo("a2");
        assertThat(runs.claimedItemFinished(runId, "a1", "dead", "succeeded", 1, 5, null, null))
                .as("the dead worker's late outcome is not recorded").isFalse();
        assertThat(runs.claimedItemFinished(runId, "a1", "w2", "succeeded", 1, 5, null, null)).isTrue();
    }

    @Test
    void anItemWithNoPoolYetIsClaimedWithNone_andAnEndedRunHandsOutNothing() {
        String runId = run("fresh");
        Optional<RunRepository.Claimed> c = runs.claimOne(runId, "w1", 1, 60);
        assertThat(c).hasValueSatisfying(x -> {
            assertThat(x.orgId()).isEqualTo("fresh");
            assertThat(x.poolId()).isNull();
        });

        String over = run("x@p1");
        runs.finish(over, "cancelled");
        assertThat(runs.claimOne(over, "w1", 4, 60)).contains(RunRepository.Claimed.RUN_ENDED);
        assertThat(runs.claimOne("no-such-run", "w1", 4, 60)).contains(RunRepository.Claimed.RUN_ENDED);
    }

    /**
     * Found by probing: three workers of a run with --max-failures 2 on a dead pool failed 7 or 8 orgs, not 3. Each
     * worker checked the budget after its own org only, so the others went on claiming in between. The claim itself
     * now ends the run once the failures recorded are past the budget: no worker starts another org.
     */
    @Test
    void onceTheFailuresArePastTheBudgetNoWorkerIsHandedAnotherOrg() {
        String runId = run("a1@p1", "a2@p1", "a3@p1", "a4@p1", "a5@p1");
        for (String w : List.of("w1", "w2")) {
            String org = runs.claimOne(runId, w, 4, 60, 1, "over budget").orElseThrow().orgId();
            runs.claimedItemFinished(runId, org, w, "failed", 1, 5, "boom", null);
        }
        assertThat(runs.claimOne(runId, "w3", 4, 60, 1, "over budget")).as("2 failed, 1 allowed")
                .contains(RunRepository.Claimed.RUN_ENDED);
        RunRepository.Run run = runs.get(runId);
        assertThat(run.runStatus()).isEqualTo(RunStatus.ABORTED);
        assertThat(run.reason()).isEqualTo("over budget");
        assertThat(runs.items(runId).stream().filter(i -> i.itemStatus() == ItemStatus.PENDING)).as("the rest untouched").hasSize(3);

        String within = run("b1@p1", "b2@p1");
        String org = claim(within, "w1", 4);
        runs.claimedItemFinished(within, org, "w1", "failed", 1, 5, "boom", null);
        assertThat(runs.claimOne(within, "w2", 4, 60, 1, "over budget")).as("1 failed, 1 allowed: goes on")
                .hasValueSatisfying(c -> assertThat(c.orgId()).isEqualTo("b2"));
    }
    /**
     * Found by a colleague: a worker whose claimed org stayed busy past --busy-timeout handed the item back, then failed it
     * by a second statement that looked at nothing; a 'runs cancel' (cancelling the run's pending items) or an 'orgs
     * forget' (skipping the org's items) landing in between, under the lease of whoever holds the org, was overwritten
     * with 'failed'. Here the steps in that order: the ended item stays cancelled or skipped; one still as handed back fails.
     */
    @Test
    void aBusyItemEndedBetweenItsHandBackAndItsFailureStaysEnded() {
        String cancelled = run("a1@p1");
        assertThat(claim(cancelled, "w1", 4)).isEqualTo("a1");
        assertThat(runs.putBack(cancelled, "a1", "w1", 1)).isPresent();
        assertThat(runs.cancel(cancelled, "cancelled by the operator", true, "canceller")).isPresent();
        boolean failed = runs.busyItemFailed(cancelled, "a1", 5, "org a1 is busy (waited 0 s; pass --wait to wait for it)");
        assertThat(runs.itemStatus(cancelled, "a1")).contains(ItemStatus.CANCELLED);
        assertThat(failed).isFalse();
        assertThat(runs.itemError(cancelled, "a1").orElseThrow()).contains("cancelled by the operator");

        String forgotten = run("b1@p1");
        assertThat(claim(forgotten, "w1", 4)).isEqualTo("b1");
        assertThat(runs.putBack(forgotten, "b1", "w1", 1)).isPresent();
        catalog.inTransaction(c -> RunRepository.skipUnfinished(c, "backup", "b1", "org b1 was forgotten"));
        failed = runs.busyItemFailed(forgotten, "b1", 5, "org b1 is busy (waited 0 s; pass --wait to wait for it)");
        assertThat(runs.itemStatus(forgotten, "b1")).contains(ItemStatus.SKIPPED);
        assertThat(failed).isFalse();
        assertThat(runs.itemError(forgotten, "b1").orElseThrow()).contains("forgotten");

        String busy = run("c1@p1");
        assertThat(claim(busy, "w1", 4)).isEqualTo("c1");
        assertThat(runs.putBack(busy, "c1", "w1", 1)).isPresent();
        assertThat(runs.busyItemFailed(busy, "c1", 5, "org c1 is busy (waited 0 s; pass --wait to wait for it)")).isTrue();
        assertThat(runs.itemStatus(busy, "c1")).contains(ItemStatus.FAILED);
        assertThat(runs.itemError(busy, "c1").orElseThrow()).contains("org c1 is busy");
    }

    /**
     * What a cancel ended, as its own transaction ended it (runs cancel settles a provision's orgs by it, not by the items
     * read again, among which a worker's own ending of an org in flight would be): not started, pending or claimed by a
     * live worker without the org's lease; its worker stopped, its claim's lease or its lease on the org run out (that
     * lease kept, for recovery); an org whose worker holds its live lease is in flight, neither.
     */
    @Test
    void aCancelSaysWhichOrgsItEndedAndHow() {
        String runId = run("a1@p1", "a2@p1", "a3@p1", "a4@p1", "a5@p1");
        assertThat(claim(runId, "unstarted", 8)).isEqualTo("a1");
        assertThat(claim(runId, "expired", 8)).isEqualTo("a2");
        assertThat(claim(runId, "dead-on-it", 8)).isEqualTo("a3");
        catalog.leases().acquire("a3", "dead-on-it", "h", 1, "backup", runId, "{\"frozen_from\": \"active\"}", -1);
        assertThat(claim(runId, "at-work", 8)).isEqualTo("a4");
        catalog.leases().acquire("a4", "at-work", "h", 2, "backup", runId, null, 60);
        runs.expireHolder(runId, "expired", null, 0);

        RunRepository.Cancelled done = runs.cancel(runId, "cancelled by the operator", true, "canceller").orElseThrow();

        assertThat(done.notStarted()).isEqualTo(2);
        assertThat(done.workerStopped()).isEqualTo(2);
        List<RunRepository.Ended> ended = new java.util.ArrayList<>();
        runs.forEachEndedPage(runId, done, 1, ended::addAll); // a page of one at a time: each page goes on after the last
        assertThat(ended).containsExactly(new RunRepository.Ended("a1", true), new RunRepository.Ended("a2", false),
                new RunRepository.Ended("a3", false), new RunRepository.Ended("a5", true));
        assertThat(runs.itemStatus(runId, "a4")).contains(ItemStatus.RUNNING);
        assertThat(catalog.leases().find("a3")).as("the dead worker's lease, for recovery to thaw its org")
                .hasValueSatisfying(l -> assertThat(l.holder()).isEqualTo("dead-on-it"));
    }

    /**
     * A run recorded from listings of orgs (backup --pool P --pool Q and --due, migrate-all) reads each in turn a page of
     * 1,000 at a time on the connection that records it, every page handed over before the next is read and never more
     * than one: every org of each listing once, in its order (the deleted ones too where a listing has them; --due's not),
     * and the run's args and summary written once its items are, from what they counted.
     */
    @Test
    void aRunRecordedFromListingsReadsEachAPageAtATime() {
        catalog.inConnection(c -> {
            Sql.update(c, "insert into pools (pool_id, uri, capacity) values ('p1', 'mongodb://h1', 10000), ('p2', 'mongodb://h2', 10000)");
            return Sql.update(c, "insert into orgs (org_id, pool_id, database_name, status) select 'o-' || lpad(g::text, 5, '0'), "
                    + "case when g % 9 = 0 then 'p2' else 'p1' end, 'org_o_' || g, case when g % 10 = 0 then 'deleted' else 'active' end "
                    + "from generate_series(1, 2700) g");
        });
        List<Integer> pages = new ArrayList<>();
        int[] read = {0};
        java.util.function.Function<List<Org>, List<RunRepository.NewItem>> each = page -> {
            pages.add(page.size());
            read[0] += page.size();
            return page.stream().map(o -> RunRepository.NewItem.toDo(o.orgId(), o.poolId())).toList();
        };
        String byPool = runs.start("backup", () -> "{\"orgs\": " + read[0] + "}", "test", RunRepository.Items.ofListings(
                List.of(OrgRepository.onPool("p2"), OrgRepository.onPool("p1")), each), 0, () -> "{\"read\": " + read[0] + "}", null);
        assertThat(pages).as("p2's 300 orgs, then p1's 2,400").containsExactly(300, 1000, 1000, 400);
        assertThat(runs.get(byPool).args()).isEqualTo("{\"orgs\": 2700}");
        assertThat(runs.get(byPool).summary()).isEqualTo("{\"read\": 2700}");
        assertThat(orgsInOrder(byPool)).as("each pool's orgs in turn, claimed across them").hasSize(2700).doesNotHaveDuplicates()
                .startsWith("o-00009", "o-00001", "o-00018", "o-00002");

        pages.clear();
        String due = runs.start("backup", () -> "{}", "test", RunRepository.Items.ofListings(List.of(BackupPolicyRepository.dueOrgs(null)), each),
                0, () -> null, null);
        assertThat(pages).as("the 2,430 orgs not deleted, none backed up: all due").containsExactly(1000, 1000, 430);
        assertThat(orgsInOrder(due)).hasSize(2430).doesNotContain("o-00010").startsWith("o-00001", "o-00009", "o-00002", "o-00018");
    }

    private List<String> orgsInOrder(String runId) {
        return catalog.inConnection(c -> Sql.query(c, "select org_id from run_items where run_id = ? order by seq", rs -> rs.getString(1), runId));
    }
}
