package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.MoveRepository;
import io.tenantctl.catalog.MoveState;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.RestoreRepository;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One org moved between two stand-in pools, each test ending with both pools read back: where the pointer is, that the
 * database it names holds exactly the documents the org had (fingerprint), that the other copy is gone or retained as
 * recorded, and what the moves table says.
 */
@Timeout(120)
class RebalanceMoveTest {

    /** A process dying at a state boundary: an Error, so that nothing in tenantctl catches and cleans up after it. */
    static final class Crash extends Error {
        Crash(MoveState at) {
            super("crash injected at " + at);
        }
    }

    @Test
    void aMoveCopiesEveryDocumentAndIndex_flipsThePointer_andRetainsTheSource() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 2_500);
            Fingerprint before = f.fingerprint(f.current("acme"));

            Rebalance.Result r = f.move(new Rebalance(f.ctx), "acme", "p2");

            assertThat(r.report().count("moved")).isEqualTo(1);
            Org org = f.catalog.orgs().get("acme");
            assertThat(org.poolId()).isEqualTo("p2");
            assertThat(org.status()).isEqualTo(Org.ACTIVE);
            MongoDatabase target = f.current("acme");
            assertThat(f.fingerprint(target)).isEqualTo(before);
            assertThat(target.getCollection("users").listIndexes().into(new java.util.ArrayList<>()))
                    .anySatisfy(i -> assertThat(i.getString("name")).isEqualTo("email_1"));
            assertThat(target.getCollection("users").listIndexes().into(new java.util.ArrayList<>()))
                    .filteredOn(i -> i.getString("name").equals("email_1")).allSatisfy(i -> assertThat(i.getBoolean("unique")).isTrue());
            assertThat(target.getCollection("notes").listIndexes().into(new java.util.ArrayList<>()))
                    .anySatisfy(i -> assertThat(i.getString("name")).isEqualTo("owner_1_at_-1"));

            MoveRepository.Move m = f.onlyMove("acme");
            assertThat(m.state()).isEqualTo(MoveState.RETAINED);
            assertThat(m.fingerprint()).isNotNull();
            assertThat(Fingerprint.fromJson(m.fingerprint())).isEqualTo(before);
            assertThat(m.freezeMs()).isNotNull();
            assertThat(m.docsCopied()).isEqualTo(2_501);
            assertThat(f.fingerprint(f.db(1, "org_acme"))).as("the source is kept as it was").isEqualTo(before);
            assertThat(f.catalog.restores().retired("acme")).extracting(RestoreRepository.Retired::poolId).containsExactly("p1");
            assertThat(f.catalog.pools().get("p1").orgCount()).isZero();
            assertThat(f.catalog.pools().get("p2").orgCount()).isEqualTo(1);
        }
    }

    /**
     * A move's verification does not wait for the JVM's common pool. On two cores that pool has one thread, and Java 25
     * runs supplyAsync there even then: the source read of each move verifying at once queued behind the others, every
     * one of those orgs frozen meanwhile. Here every thread of that pool is busy (blocked on a monitor, which the pool
     * does not make up for) for the whole move.
     */
    @Test
    void aMoveVerifiesWhileTheCommonPoolIsBusy() throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 500);
            Fingerprint before = f.fingerprint(f.current("acme"));
            Object monitor = new Object();
            AtomicBoolean done = new AtomicBoolean();
            int threads = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism();
            java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(threads);
            for (int i = 0; i < threads; i++) {
                java.util.concurrent.ForkJoinPool.commonPool().execute(() -> {
                    synchronized (monitor) {
                        busy.countDown();
                        while (!done.get()) {
                            try {
                                monitor.wait();
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                });
            }
            try {
                assertThat(busy.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("every common-pool thread taken").isTrue();
                Rebalance.Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
                        () -> f.move(new Rebalance(f.ctx), "acme", "p2"));
                assertThat(r.report().count("moved")).isEqualTo(1);
                assertThat(f.fingerprint(f.current("acme"))).isEqualTo(before);
                assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
            } finally {
                synchronized (monitor) {
                    done.set(true);
                    monitor.notifyAll();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = MoveState.class, names = {"PLANNED", "FROZEN", "COPYING", "VERIFYING", "FLIPPED", "RETAINED"})
    void aCrashAtEveryStateBoundary_thenResume_leavesOneVerifiedCopyThatThePointerNames(MoveState at) {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 1_500);
            Fingerprint before = f.fingerprint(f.current("acme"));
            AtomicBoolean armed = new AtomicBoolean(true);
            Rebalance crashing = new Rebalance(f.ctx, (state, move) -> {
                if (state == at && armed.compareAndSet(true, false)) {
                    throw new Crash(at);
                }
            });

            assertThatThrownBy(() -> f.move(crashing, "acme", "p2")).hasRootCauseInstanceOf(Crash.class);

            List<String> done = new Rebalance(f.ctx).resume(false);
            assertThat(f.catalog.moves().unfinished()).as("resume left nothing half-done").isEmpty();
            MoveRepository.Move m = f.onlyMove("acme");
            Org org = f.catalog.orgs().get("acme");
            assertThat(org.status()).isEqualTo(Org.ACTIVE);
            if (at != MoveState.RETAINED) { // one that died after RETAINED had finished: its run's --resume sees it there
                assertThat(f.catalog.runs().status(m.runId())).as("its run is ended by the recovery, not left abandoned")
                        .isEqualTo(at.beforeFlip() ? "failed" : "succeeded");
            }
            assertThat(f.fingerprint(f.current("acme"))).as("the database the pointer names holds every document").isEqualTo(before);
            if (at.beforeFlip()) {
                assertThat(done).singleElement().asString().contains("rolled back");
                assertThat(m.state()).isEqualTo(MoveState.ABORTED);
                assertThat(org.poolId()).isEqualTo("p1");
                assertThat(f.exists(2, m.toDatabase())).as("the partial target is dropped").isFalse();
                assertThat(f.catalog.pools().get("p2").orgCount()).as("the target's reserved place is given back").isZero();
            } else {
                assertThat(m.state()).isEqualTo(MoveState.RETAINED);
                assertThat(org.poolId()).isEqualTo("p2");
                assertThat(f.fingerprint(f.db(1, "org_acme"))).as("the source is retained, whole").isEqualTo(before);
                assertThat(f.catalog.restores().retired("acme")).hasSize(1);
            }
            // and the org can be moved again afterwards: nothing left blocks it
            Rebalance.Result again = f.move(new Rebalance(f.ctx), "acme", org.poolId().equals("p1") ? "p2" : "p1");
            assertThat(again.report().count("moved")).as(again.report().toString()).isEqualTo(1);
            assertThat(f.fingerprint(f.current("acme"))).isEqualTo(before);
        }
    }

    @Test
    void duringTheFreezeTheRoutingViewSaysNotWritable_andAWriteMadeAnywayAbortsTheMove() throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 1_200);
            List<Boolean> writableWhileFrozen = new java.util.ArrayList<>();
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                try {
                    if (state == MoveState.FROZEN) {
                        writableWhileFrozen.add(f.writable("acme"));
                    }
                    if (state == MoveState.VERIFYING) { // the copy is done: an application ignoring read_only writes now
                        f.db(1, "org_acme").getCollection("notes").insertOne(new Document("_id", "late").append("text", "written while frozen"));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            Rebalance.Result r = f.move(rebalance, "acme", "p2");

            assertThat(writableWhileFrozen).containsExactly(false);
            assertThat(r.report().count("failed")).isEqualTo(1);
            String error = r.lines().first().error();
            assertThat(error).contains("verification failed").contains("notes").contains("source changed during the freeze")
                    .contains("missing on target 1 [late]");
            Org org = f.catalog.orgs().get("acme");
            assertThat(org.poolId()).isEqualTo("p1");
            assertThat(org.status()).isEqualTo(Org.ACTIVE);
            assertThat(f.writable("acme")).isTrue();
            assertThat(f.current("acme").getCollection("notes").countDocuments()).as("the late write is kept on the source").isEqualTo(1_201);
            MoveRepository.Move m = f.onlyMove("acme");
            assertThat(m.state()).isEqualTo(MoveState.ABORTED);
            assertThat(f.exists(2, m.toDatabase())).isFalse();
        }
    }

    @Test
    void aDocumentChangedOnTheSourceAfterItWasCopied_makesVerificationAbortSafely() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 1_200);
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.VERIFYING) {
                    f.db(1, "org_acme").getCollection("notes").updateOne(new Document("_id", 7), new Document("$set", new Document("text", "edited")));
                }
            });

            Rebalance.Result r = f.move(rebalance, "acme", "p2");

            String error = r.lines().first().error();
            assertThat(error).contains("verification failed").contains("different 1 [7]").contains("target org_acme on p2 dropped");
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p1");
            assertThat(f.current("acme").getCollection("notes").find(new Document("_id", 7)).first().getString("text")).isEqualTo("edited");
            assertThat(f.exists(2, f.onlyMove("acme").toDatabase())).isFalse();
        }
    }

    @Test
    void revertFlipsBackAnUntouchedTarget_andIsRefusedAfterAWrite() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 800);
            f.org("globex", 1, 800);
            Fingerprint acme = f.fingerprint(f.current("acme"));
            Rebalance rebalance = new Rebalance(f.ctx);
            f.move(rebalance, "acme", "p2");
            f.move(rebalance, "globex", "p2");

            String planned = rebalance.revert(f.onlyMove("acme").moveId(), true, false, new io.tenantctl.fanout.CancelToken());
            assertThat(planned).contains("dry run").contains("would be back on p1");
            assertThat(f.catalog.orgs().get("acme").poolId()).as("a dry run flips nothing").isEqualTo("p2");
            assertThat(f.onlyMove("acme").state()).isEqualTo(MoveState.RETAINED);

            String done = rebalance.revert(f.onlyMove("acme").moveId(), false, false, new io.tenantctl.fanout.CancelToken());
            assertThat(done).contains("back on p1");
            Org back = f.catalog.orgs().get("acme");
            assertThat(back.poolId()).isEqualTo("p1");
            assertThat(back.status()).isEqualTo(Org.ACTIVE);
            assertThat(f.fingerprint(f.current("acme"))).isEqualTo(acme);
            assertThat(f.onlyMove("acme").state()).isEqualTo(MoveState.REVERTED);

            f.current("globex").getCollection("notes").insertOne(new Document("_id", "new").append("text", "written after the move"));
            String globexMove = f.onlyMove("globex").moveId();
            assertThatThrownBy(() -> rebalance.revert(globexMove, true, false, new io.tenantctl.fanout.CancelToken()))
                    .as("a dry run makes the same checks").hasMessageContaining("refused").hasMessageContaining("notes: 800 documents at the move, 801 now");
            assertThatThrownBy(() -> rebalance.revert(globexMove, false, false, new io.tenantctl.fanout.CancelToken()))
                    .isInstanceOf(TenantctlException.class)
                    .hasMessageContaining("refused").hasMessageContaining("notes: 800 documents at the move, 801 now")
                    .hasMessageContaining("lose those writes");
            Org globex = f.catalog.orgs().get("globex");
            assertThat(globex.poolId()).isEqualTo("p2");
            assertThat(globex.status()).as("unfrozen again").isEqualTo(Org.ACTIVE);
            assertThat(f.onlyMove("globex").state()).isEqualTo(MoveState.RETAINED);
        }
    }

    @Test
    void gcDropsRetainedSourcesAndLeftoverTargets_butNeverADatabaseAPointerNames() throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 300);
            f.org("globex", 2, 300);
            Rebalance rebalance = new Rebalance(f.ctx);
            f.move(rebalance, "acme", "p2");
            // a retired row that names a live org's database (a catalog edited by hand, or a race): never dropped
            try (var c = java.sql.DriverManager.getConnection(f.url); var s = c.createStatement()) {
                s.execute("insert into retired_databases (pool_id, database_name, org_id, reason) values ('p2', 'org_globex', 'globex', 'test')");
            }

            Rebalance.GcResult dry = rebalance.gc(Duration.ZERO, true);
            assertThat(dry.items()).extracting(Rebalance.GcItem::databaseName, Rebalance.GcItem::action)
                    .contains(org.assertj.core.groups.Tuple.tuple("org_acme", "would_drop"), org.assertj.core.groups.Tuple.tuple("org_globex", "kept"));
            assertThat(f.exists(1, "org_acme")).as("a dry run drops nothing").isTrue();

            Rebalance.GcResult r = rebalance.gc(Duration.ZERO, false);
            assertThat(r.items()).extracting(Rebalance.GcItem::poolId, Rebalance.GcItem::databaseName, Rebalance.GcItem::action)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("p1", "org_acme", "dropped"),
                            org.assertj.core.groups.Tuple.tuple("p2", "org_globex", "kept"));
            assertThat(f.exists(1, "org_acme")).isFalse();
            assertThat(f.exists(2, "org_globex")).isTrue();
            assertThat(f.fingerprint(f.current("globex")).docs()).isEqualTo(301);
            assertThat(f.onlyMove("acme").state()).isEqualTo(MoveState.CLEANED);
            assertThat(f.fingerprint(f.current("acme")).docs()).isEqualTo(301);
            assertThat(rebalance.gc(Duration.ZERO, false).items()).as("nothing left to collect").isEmpty();
        }
    }

    @Test
    void aMovePredictedPastMaxFreezeIsRefused_andAForcedOneThatRunsPastItIsAbortedAndUnfrozen() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 3_000);
            Fingerprint before = f.fingerprint(f.current("acme"));
            Rebalance rebalance = new Rebalance(f.ctx);

            Rebalance.Result refused = f.move(rebalance, "acme", "p2", Duration.ofMillis(1), false);
            assertThat(refused.lines().first().error()).contains("predicted to be frozen").contains("--max-freeze 1 ms");
            assertThat(f.catalog.moves().list("acme", 10)).as("nothing was started").isEmpty();

            Rebalance.Result aborted = f.move(rebalance, "acme", "p2", Duration.ofMillis(1), true);
            assertThat(aborted.lines().first().error()).contains("ran past --max-freeze").contains("on p2 dropped");
            Org org = f.catalog.orgs().get("acme");
            assertThat(org.poolId()).isEqualTo("p1");
            assertThat(org.status()).isEqualTo(Org.ACTIVE);
            assertThat(f.fingerprint(f.current("acme"))).isEqualTo(before);
            assertThat(f.exists(2, f.onlyMove("acme").toDatabase())).isFalse();
        }
    }

    @Test
    void aSecondMoveOfAnOrgBeingMovedIsRefusedNamingTheHolder() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10, 10)) {
            f.org("acme", 1, 500);
            List<Rebalance.Result> second = new java.util.ArrayList<>();
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.FROZEN && second.isEmpty()) {
                    second.add(f.move(new Rebalance(f.ctx), "acme", "p3"));
                }
            });

            Rebalance.Result first = f.move(rebalance, "acme", "p2");

            assertThat(first.report().count("moved")).isEqualTo(1);
            assertThat(second.get(0).lines().first().error()).contains("org acme is busy: move by");
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
            assertThat(f.catalog.moves().list("acme", 10)).hasSize(1);
        }
    }

    @Test
    void aBackupOrRestoreOfAnOrgBeingMovedIsRefusedNamingTheMove_andTheMoveStillCompletes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (RebalanceFixture f = new RebalanceFixture(10, 10);
             io.tenantctl.store.ObjectStore store = new io.tenantctl.store.FileObjectStore(dir)) {
            f.org("acme", 1, 400);
            Fingerprint before = f.fingerprint(f.current("acme"));
            io.tenantctl.ops.run.RunEngine.Drive drive = new io.tenantctl.ops.run.RunEngine.Drive(
                    new io.tenantctl.ops.run.RunEngine.Settings(1, 1, 0, false, 0), io.tenantctl.ops.run.RunControl.START,
                    new io.tenantctl.fanout.CancelToken(), Progress.NONE);
            Backup.Result taken = new Backup(f.ctx, store).run(new Backup.Request(new Backup.Selector(List.of("acme"), false, List.of(), false),
                    new Backup.Copy(io.tenantctl.backup.Compression.of("zstd"), false, null), false, drive, java.time.Clock.systemUTC()));
            assertThat(taken.report().count("backed_up")).isEqualTo(1);
            List<String> refusals = new java.util.ArrayList<>();
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.COPYING && refusals.isEmpty()) {
                    Backup.Result during = new Backup(f.ctx, store).run(new Backup.Request(new Backup.Selector(List.of("acme"), false, List.of(), false),
                            new Backup.Copy(io.tenantctl.backup.Compression.of("zstd"), false, null), false, drive, java.time.Clock.systemUTC()));
                    refusals.add(during.lines().first().error()); // read back from the run's item: the report holds no line
                    try {
                        new Restore(f.ctx, store).run(new Restore.Request("acme", null, null, null, false, false, false, null, false));
                        refusals.add("restore was not refused");
                    } catch (TenantctlException e) {
                        refusals.add(e.getMessage());
                    }
                }
            });

            Rebalance.Result moved = f.move(rebalance, "acme", "p2");

            assertThat(refusals).hasSize(2).allSatisfy(r -> assertThat(r).contains("org acme is busy: move by"));
            assertThat(moved.report().count("moved")).isEqualTo(1);
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
            assertThat(f.fingerprint(f.current("acme"))).isEqualTo(before);
        }
    }

    @Test
    void aMoveReservesItsPlaceOnTheTarget_soPlacementCannotFillItMeanwhile() {
        try (RebalanceFixture f = new RebalanceFixture(10, 1)) {
            f.org("acme", 1, 100);
            List<io.tenantctl.catalog.OrgRepository.Placed> placed = new java.util.ArrayList<>();
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.COPYING && placed.isEmpty()) {
                    placed.addAll(f.catalog.orgs().place(List.of("newcomer"), "p2", "free"));
                }
            });

            Rebalance.Result r = f.move(rebalance, "acme", "p2");

            assertThat(placed).singleElement().satisfies(p -> assertThat(p.error()).contains("no capacity").contains("1/1"));
            assertThat(r.report().count("moved")).isEqualTo(1);
            assertThat(f.catalog.pools().get("p2").orgCount()).isEqualTo(1);
            assertThat(f.catalog.pools().list()).allSatisfy(p -> assertThat(p.orgCount()).isLessThanOrEqualTo(p.capacity()));
            Rebalance.Result full = f.move(new Rebalance(f.ctx), "acme", "p1");
            assertThat(full.report().count("moved")).as("and back: p1 has room").isEqualTo(1);
        }
    }

    @Test
    void writesWhileTheOrgWasStillLive_areCaughtUpAfterTheFreeze_evenAUniqueKeyMovedBetweenDocuments() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 2_000);
            f.db(1, "org_acme").getCollection("users").insertOne(new Document("_id", "u-2").append("email", "second@example.com"));
            f.db(1, "org_acme").getCollection("users").insertOne(new Document("_id", "u-3").append("email", "third@example.com"));
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.FROZEN) { // the first copy is done; these writes reached the source just before the freeze
                    MongoDatabase src = f.db(1, "org_acme");
                    src.getCollection("notes").insertOne(new Document("_id", "new").append("text", "added"));
                    src.getCollection("notes").updateOne(new Document("_id", 5), new Document("$set", new Document("text", "edited")));
                    src.getCollection("notes").deleteOne(new Document("_id", 6));
                    src.createCollection("late_collection");
                    src.getCollection("late_collection").insertOne(new Document("_id", 1));
                    // the unique email moves from one user to the other
                    src.getCollection("users").updateOne(new Document("_id", "u-acme"), new Document("$set", new Document("email", "tmp@x")));
                    src.getCollection("users").updateOne(new Document("_id", "u-2"), new Document("$set", new Document("email", "acme@example.com")));
                    src.getCollection("users").updateOne(new Document("_id", "u-acme"), new Document("$set", new Document("email", "second@example.com")));
                    // a user deleted and its email taken by a new one: the target's copy of the old one holds the key
                    src.getCollection("users").deleteOne(new Document("_id", "u-3"));
                    src.getCollection("users").insertOne(new Document("_id", "u-4").append("email", "third@example.com"));
                }
            });

            Rebalance.Result r = f.move(rebalance, "acme", "p2");

            assertThat(r.report().count("moved")).as(r.report().toString()).isEqualTo(1);
            Fingerprint source = f.fingerprint(f.db(1, "org_acme"));
            assertThat(f.fingerprint(f.current("acme"))).isEqualTo(source);
            assertThat(source.collections()).containsKey("late_collection");
            assertThat(f.current("acme").getCollection("notes").find(new Document("_id", 6)).first()).isNull();
            assertThat(f.current("acme").getCollection("users").find(new Document("_id", "u-2")).first().getString("email"))
                    .isEqualTo("acme@example.com");
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p2");
        }
    }

    @Test
    void aMoveOfAnOrgThatABackupHoldsIsRefusedNamingTheBackup_andChangesNothing() {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 300);
            Fingerprint before = f.fingerprint(f.current("acme"));
            // a backup in flight in another process holds the org
            assertThat(f.catalog.leases().acquire("acme", "other-host/4242/abcd", "other-host", 4242, "backup", "run-x", null, 60).taken()).isTrue();

            Rebalance.Result r = f.move(new Rebalance(f.ctx), "acme", "p2");

            assertThat(r.lines().first().error()).contains("org acme is busy: backup by other-host/4242/abcd (run run-x)");
            assertThat(f.catalog.orgs().get("acme").poolId()).isEqualTo("p1");
            assertThat(f.catalog.orgs().get("acme").status()).isEqualTo(Org.ACTIVE);
            assertThat(f.catalog.moves().list("acme", 10)).as("no move was recorded").isEmpty();
            assertThat(f.exists(2, "org_acme")).isFalse();
            assertThat(f.fingerprint(f.current("acme"))).isEqualTo(before);
        }
    }
}
