package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.TenantctlException;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team, pass 3: a pool dies at 3 a.m. and a single-org command meets it. README: every failure is one clear line
 * saying what failed, on what (the pool), and what to do; "restore fails naming the pool"; "rebalance move fails
 * before the flip ... re-run the move". acme lives on pool-0, initech on pool-1; pool-1 is dead.
 */
@Timeout(120)
class OnCallDeadPoolMessagesTest {

    private static Cli fastTimeouts(BackupFixture f) {
        return new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                "TENANTCTL_POOL_CONNECT_TIMEOUT_MS", "300", "TENANTCTL_POOL_SOCKET_TIMEOUT_MS", "500", "USER", "test"));
    }

    private static BackupFixture fleetWithDeadPool1(Path dir) {
        BackupFixture f = new BackupFixture(2, dir);
        f.provision("acme");
        f.provisionTier("free", "pool-1", "initech");
        f.notes("acme", "notes", 3);
        f.backup("acme");
        f.pools.kill(1);
        return f;
    }

    /** The move's target is dead: it was reported "on pool-0" (the healthy source), never naming pool-1. */
    @Test
    void aMoveToADeadPoolNamesTheDeadPool(@TempDir Path dir) {
        try (BackupFixture f = fleetWithDeadPool1(dir)) {
            Cli.Result r = fastTimeouts(f).run("rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0", "-o", "json");
            assertThat(r.exitCode()).as("refused before anything is recorded, a connectivity error: " + r).isEqualTo(3);
            JsonNode error = strictJson(r).get("error");
            assertThat(error.get("message").asText()).as("the error must say which pool did not answer: " + error)
                    .contains("pool pool-1 (the move's target) does not answer");
            // the pool named once, where to look next after the ping's own error: it read "pool pool-1 (the move's target)
            // does not answer: pool pool-1 (mongodb://…) is unreachable: …", the pool twice and its URI in between
            String message = error.get("message").asText();
            assertThat(message.split("pool pool-1 ", -1)).as("pool-1 named once: %s", message).hasSize(2);
            assertThat(message).as(message).startsWith("pool pool-1 (the move's target) does not answer: ")
                    .contains(" — see 'tenantctl pools stats pool-1'").doesNotContain("mongodb://").doesNotContain("is unreachable");
            Cli.Result text = fastTimeouts(f).run("rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(3);
            assertThat(text.err().lines()).as("one line: %s", text).hasSize(1).allSatisfy(l -> assertThat(l)
                    .startsWith("error: pool pool-1 (the move's target) does not answer: ").doesNotContain("mongodb://"));
            // its type is a pool's silence (PoolSilentException), as every other "does not answer": what a run records of an
            // org it fails ("pool_silent", what its failures are grouped by); no fan-out meets it yet, the single-org check it is
            try (io.tenantctl.catalog.Catalog catalog = io.tenantctl.catalog.Catalog.open(f.catalogUrl);
                 io.tenantctl.pool.PoolClients pools = new io.tenantctl.pool.PoolClients(Map.of(), 300)) {
                Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> new io.tenantctl.ops.Rebalance(
                        new io.tenantctl.ops.OpsContext(catalog, pools, io.tenantctl.pool.Retry.ferretDefault(), "test")).planOne("acme", "pool-1"));
                assertThat(refused).hasMessageContaining("pool pool-1 (the move's target) does not answer");
                assertThat(io.tenantctl.ops.run.RunReport.Mark.in(io.tenantctl.ops.run.RunReport.Mark.onto(null, refused))).as("%s", refused)
                        .containsExactly(io.tenantctl.ops.run.RunReport.Mark.POOL_SILENT);
            }
        }
    }

    /** The move's source is dead: "error: unexpected MongoTimeoutException: …" (category internal), naming no pool. */
    @Test
    void aMoveFromADeadPoolIsOneClearLineNamingThePool(@TempDir Path dir) {
        try (BackupFixture f = fleetWithDeadPool1(dir)) {
            Cli.Result r = fastTimeouts(f).run("rebalance", "move", "initech", "--to", "pool-0", "--freeze-grace", "0", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isIn(1, 3);
            String message = strictJson(r).path("error").path("message").asText(strictJson(r).toString());
            assertThat(strictJson(r).path("error").path("category").asText()).as(r.toString()).isNotEqualTo("internal");
            assertThat(message).as(r.toString()).doesNotContain("unexpected MongoTimeoutException").contains("pool-1");
        }
    }

    /**
     * Audit: 'schema diff' of an org on a dead pool said "cannot read org initech's schema on pool pool-1 (…): listDatabases:
     * timed out … — check the pool with 'tenantctl pools stats pool-1' (it pings it)", after waiting out every retry of its
     * read, where README's exit 3 and every other single-org command say "pool P does not answer: … — see 'tenantctl pools
     * stats P'". It now pings the pool first and says so.
     */
    @Test
    void aSchemaDiffOfAnOrgOnADeadPoolSaysThePoolDoesNotAnswer(@TempDir Path dir) {
        try (BackupFixture f = fleetWithDeadPool1(dir)) {
            Cli cli = fastTimeouts(f);
            String said = "cannot read org initech's schema: pool pool-1 does not answer: ";
            String then = " — see 'tenantctl pools stats pool-1'; once it answers, run the diff again";
            Cli.Result text = cli.run("schema", "diff", "initech");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(3);
            assertThat(text.err().lines()).as("one line: %s", text).hasSize(1)
                    .allSatisfy(l -> assertThat(l).startsWith("error: " + said).endsWith(then));
            Cli.Result json = cli.run("schema", "diff", "initech", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(3);
            JsonNode error = strictJson(json).get("error");
            assertThat(error.get("category").asText()).isEqualTo("config");
            assertThat(error.get("message").asText()).as(json.toString()).startsWith(said).endsWith(then);
            assertThat(ok(cli, "schema", "diff", "acme", "--schema", f.schema.toString()).out()).as("its live pool's org is read as ever")
                    .contains("no problems");
        }
    }

    /** restore --to-org onto a dead --target-pool: "unexpected MongoTimeoutException" too, where README promises the pool is named. */
    @Test
    void aRestoreOntoADeadTargetPoolNamesThePool(@TempDir Path dir) {
        try (BackupFixture f = fleetWithDeadPool1(dir)) {
            Cli.Result r = fastTimeouts(f).run("restore", "--org", "acme", "--to-org", "acme2", "--target-pool", "pool-1", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isIn(1, 3);
            JsonNode error = strictJson(r).get("error");
            assertThat(error.get("category").asText()).as(r.toString()).isNotEqualTo("internal");
            assertThat(error.get("message").asText()).as(r.toString()).doesNotContain("unexpected MongoTimeoutException").contains("pool-1");
        }
    }

    /**
     * Found by the 3 a.m. audit: 'orgs adopt' (and 'orgs adopt --discover') onto a pool that does not answer its ping said
     * "pool pool-1 (mongodb://…) is unreachable: …" and stopped there, naming neither 'pools stats' nor whether anything was
     * adopted nor what to do next, where a pool that stops answering a moment later (its listing) and every other
     * single-org command say it in README's words. They now say "pool pool-1 does not answer: … — see 'tenantctl pools
     * stats pool-1'", that nothing was adopted, and to run it again once it answers: exit 3, one line, one JSON document.
     */
    @Test
    void anAdoptOntoADeadPoolSaysWhatFailedAndWhatToDo(@TempDir Path dir) {
        try (BackupFixture f = fleetWithDeadPool1(dir)) {
            Cli cli = fastTimeouts(f);
            for (String[] args : new String[][]{{"orgs", "adopt", "legacy", "--pool", "pool-1", "--database", "legacy_db"},
                    {"orgs", "adopt", "--discover", "--pool", "pool-1"}}) {
                Cli.Result r = cli.run(args);
                assertThat(r.exitCode()).as("%s", r).isEqualTo(3);
                assertThat(r.err().lines()).as("one line, no stack trace: %s", r).hasSize(1);
                assertThat(r.err()).as("%s", r).startsWith("error: pool pool-1 does not answer: ")
                        .contains(" — see 'tenantctl pools stats pool-1'").contains("once it answers, run it again");
                String[] json = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("-o", "json"))
                        .toArray(String[]::new);
                Cli.Result j = cli.run(json);
                assertThat(j.exitCode()).as("%s", j).isEqualTo(3);
                JsonNode error = strictJson(j).get("error");
                assertThat(error.get("category").asText()).as("%s", j).isEqualTo("config");
                assertThat(error.get("message").asText()).as("%s", j).isEqualTo(r.err().strip().substring("error: ".length()));
            }
            assertThat(cli.run("orgs", "adopt", "legacy", "--pool", "pool-1", "--database", "legacy_db").err())
                    .contains("nothing adopted");
            assertThat(CliFixture.count(f.catalogUrl, "select count(*) from orgs where org_id = 'legacy'")).as("nothing adopted").isZero();
        }
    }

    /**
     * A pool whose FerretDB listens with TLS only closes a plain connection: its ping's line says to add tls=true to its
     * URI, and an adopt onto it says so too, after its "does not answer … pools stats".
     */
    @Test
    void anAdoptOntoAPoolThatWantsTlsKeepsThePingsAdvice(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket tlsOnly = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             BackupFixture f = new BackupFixture(1, dir)) {
            Thread t = new Thread(() -> { // reads what a client sends first and closes, as a TLS-only listener does
                while (!tlsOnly.isClosed()) {
                    try (java.net.Socket s = tlsOnly.accept()) {
                        s.getInputStream().read(new byte[16]);
                    } catch (java.io.IOException closed) {
                        // the test is over, or the client went first
                    }
                }
            }, "tls-only-listener");
            t.setDaemon(true);
            t.start();
            CliFixture.addPool(f.cli, "pool-tls", "mongodb://127.0.0.1:" + tlsOnly.getLocalPort() + "/", 10, 9);
            Cli.Result r = fastTimeouts(f).run("orgs", "adopt", "legacy", "--pool", "pool-tls", "--database", "legacy_db");
            assertThat(r.exitCode()).as("%s", r).isEqualTo(3);
            assertThat(r.err().lines()).as("one line: %s", r).hasSize(1);
            assertThat(r.err()).as("%s", r).startsWith("error: pool pool-tls does not answer: ").contains("add tls=true to its URI")
                    .contains("tenantctl pools stats pool-tls").contains("nothing adopted");
        }
    }

    /**
     * Audit: a pool that answers its ping and then not its listDatabases (it stopped answering in between) reached the
     * operator of 'orgs adopt --discover' and of a restore's dry run as "unexpected StepFailure: listDatabases: timed out
     * waiting for the server …" (exit 1, category internal, "run with -v"). Every look at a pool's databases now fails as a
     * pool that does not answer: exit 3, one line naming the pool and its 'pools stats'. A fan-out's org that meets it
     * still fails on its own line (exit 1), as documented.
     */
    @Test
    void aPoolThatStopsAnsweringBeforeItListsItsDatabasesIsNamedByEveryVerb(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.backup("acme");
            Cli cli = f.newCli().decoratePools(real -> io.tenantctl.testing.HookedPools.databases(real, (poolId, uri, name) -> {
                com.mongodb.client.MongoDatabase db = real.database(poolId, uri, name);
                return !poolId.equals("pool-1") ? db : io.tenantctl.testing.HookedPools.beforeEach(db, "runCommand", args -> {
                    if (args[0] instanceof org.bson.Document cmd && io.tenantctl.testing.HookedPools.is(cmd, "listDatabases")) {
                        throw new com.mongodb.MongoTimeoutException("Timed out while waiting for a server that matches "
                                + "ReadPreferenceServerSelector{readPreference=primary}. Client view of cluster state is {type=UNKNOWN, "
                                + "servers=[{address=127.0.0.1:27999, type=UNKNOWN, state=CONNECTING, exception={com.mongodb."
                                + "MongoSocketReadTimeoutException: Timeout while receiving message}}]");
                    }
                });
            }));

            Cli.Result discover = cli.run("orgs", "adopt", "--discover", "--pool", "pool-1");
            assertThat(discover.exitCode()).as("%s", discover).isEqualTo(3);
            assertThat(discover.err().lines()).as("one line, no stack trace: %s", discover).hasSize(1);
            assertThat(discover.err()).as("%s", discover).startsWith("error: pool pool-1").contains("does not answer")
                    .contains("tenantctl pools stats pool-1").doesNotContain("unexpected").doesNotContain("StepFailure");

            Cli.Result restore = cli.run("restore", "--org", "acme", "--to-org", "acme2", "--target-pool", "pool-1", "--dry-run", "-o", "json");
            assertThat(restore.exitCode()).as("%s", restore).isEqualTo(3);
            JsonNode error = strictJson(restore).get("error");
            assertThat(error.get("code").asInt()).isEqualTo(3);
            assertThat(error.get("category").asText()).as("%s", restore).isEqualTo("config");
            assertThat(error.get("message").asText()).as("%s", restore).startsWith("pool pool-1").contains("does not answer")
                    .contains("tenantctl pools stats pool-1").doesNotContain("unexpected");
            assertThat(restore.err().lines()).as("one line, no stack trace: %s", restore).hasSize(1);

            // a fan-out's org: its own line, the run exit 1 (a provision dry run reads the pool's databases per org)
            Cli.Result provision = cli.run("provision", "gamma", "--pool", "pool-1", "--dry-run", "-o", "json");
            assertThat(provision.exitCode()).as("%s", provision).isEqualTo(1);
            assertThat(strictJson(provision).toString()).as("%s", provision).contains("pool-1").doesNotContain("\"internal\"");
        }
    }

    /**
     * A pool that dies where no op names it (here between a restore dry run's listing of its target's databases and its
     * look into a leftover under the target's name) was said by its address, "a pool at 127.0.0.1:PORT stopped answering
     * … 'tenantctl pools stats' names which pool", though the catalog has that server as pool-1: at 3 a.m. one more
     * command to learn what the catalog knew. It is named by its pool id, its address after it.
     */
    @Test
    void aPoolThatDiesWhereNoOpNamesItIsNamedByItsPoolIdNotOnlyItsAddress(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.backup("acme");
            f.database("pool-1", "org_acme2").getCollection("notes").insertOne(new org.bson.Document("_id", 1)); // a leftover
            String address = f.pools.uri(1).substring("mongodb://".length());
            // first its server selection timing out (the driver's view of the cluster names the address), then the pool killed
            java.util.concurrent.atomic.AtomicBoolean timesOut = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicBoolean dead = new java.util.concurrent.atomic.AtomicBoolean();
            Cli cli = fastTimeouts(f).decoratePools(real -> io.tenantctl.testing.HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme2") ? db
                    : io.tenantctl.testing.HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        if (timesOut.get()) {
                            throw new com.mongodb.MongoTimeoutException("Timed out while waiting for a server that matches "
                                    + "ReadPreferenceServerSelector{readPreference=primary}. Client view of cluster state is {type=UNKNOWN, servers=[{address="
                                    + address + ", type=UNKNOWN, state=CONNECTING, exception={com.mongodb.MongoSocketReadTimeoutException: Timeout while "
                                    + "receiving message}}]");
                        }
                        if (dead.compareAndSet(false, true)) {
                            f.pools.kill(1);
                        }
                    })));
            for (boolean killed : new boolean[]{false, true}) {
                timesOut.set(!killed);
                Cli.Result r = cli.run("restore", "--org", "acme", "--to-org", "acme2", "--target-pool", "pool-1", "--dry-run", "-o", "json");
                assertThat(r.exitCode()).as("%s", r).isEqualTo(3);
                assertThat(r.err().lines()).as("one line, no stack trace: %s", r).hasSize(1);
                JsonNode error = strictJson(r).get("error");
                assertThat(error.get("category").asText()).as("%s", r).isEqualTo("config");
                assertThat(error.get("message").asText()).as("%s", r).startsWith("pool pool-1 (at " + address + ") does not answer: ")
                        .endsWith(" — see 'tenantctl pools stats pool-1', then run it again").doesNotContain("a pool at");
            }
            // its type is a pool's silence, as every other "does not answer" (what a run records as "pool_silent"); so is the
            // silence of a server no pool of the catalog names
            try (io.tenantctl.catalog.Catalog catalog = io.tenantctl.catalog.Catalog.open(f.catalogUrl);
                 io.tenantctl.pool.PoolClients pools = new io.tenantctl.pool.PoolClients(Map.of(), 300)) {
                io.tenantctl.ops.OpsContext ctx = new io.tenantctl.ops.OpsContext(catalog, pools, io.tenantctl.pool.Retry.ferretDefault(), "test");
                for (String uri : new String[]{f.pools.uri(1), "mongodb://127.0.0.1:27999"}) {
                    TenantctlException said = io.tenantctl.ops.Errors.unnamedPoolSilence(io.tenantctl.testing.HookedPools.refusedBy(uri), ctx).orElseThrow();
                    assertThat(said.getMessage()).as("%s", said).startsWith(uri.equals(f.pools.uri(1)) ? "pool pool-1 (at " : "a pool at 127.0.0.1:27999 ");
                    assertThat(io.tenantctl.ops.run.RunReport.Mark.in(io.tenantctl.ops.run.RunReport.Mark.onto(null, said))).as("%s", said)
                            .containsExactly(io.tenantctl.ops.run.RunReport.Mark.POOL_SILENT);
                }
            }
        }
    }

    /**
     * The same silence met by a call no op names (here a restore's dry run listing the collections of a leftover under
     * the target's name, the pool's listDatabases answered) was "unexpected MongoTimeoutException" (exit 1, internal): the
     * command's error handler now files any pool's silence as what it is, exit 3, one line saying which command names the pool.
     */
    @Test
    void aPoolSilenceNoOpNamedIsStillAConnectivityErrorNotABug(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.backup("acme");
            f.database("pool-1", "org_acme2").getCollection("notes").insertOne(new org.bson.Document("_id", 1)); // a leftover
            Cli cli = f.newCli().decoratePools(real -> io.tenantctl.testing.HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme2") ? db
                    : io.tenantctl.testing.HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        throw new com.mongodb.MongoSocketReadTimeoutException("Timeout while receiving message",
                                new com.mongodb.ServerAddress("127.0.0.1", 27999), new java.net.SocketTimeoutException("Read timed out"));
                    })));
            for (boolean json : new boolean[]{false, true}) {
                Cli.Result r = json ? cli.run("restore", "--org", "acme", "--to-org", "acme2", "--target-pool", "pool-1", "--dry-run", "-o", "json")
                        : cli.run("restore", "--org", "acme", "--to-org", "acme2", "--target-pool", "pool-1", "--dry-run");
                assertThat(r.exitCode()).as("%s", r).isEqualTo(3);
                assertThat(r.err().lines()).as("one line, no stack trace: %s", r).hasSize(1);
                assertThat(r.err()).as("%s", r).startsWith("error: a pool at 127.0.0.1:27999 stopped answering")
                        .contains("tenantctl pools stats").doesNotContain("unexpected");
                if (json) {
                    JsonNode error = strictJson(r).get("error");
                    assertThat(error.get("code").asInt()).isEqualTo(3);
                    assertThat(error.get("category").asText()).isEqualTo("config");
                }
            }
        }
    }
}
