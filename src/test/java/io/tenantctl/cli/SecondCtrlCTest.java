package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.sandbox.LatencyBackend;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import io.tenantctl.testing.standin.StandIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: a second Ctrl-C quits at once (the process halts), and with -o json stdout was then empty, stderr
 * said nothing of the run left behind. It now prints the one JSON document (the error, exit 130, the run's id) and one
 * line naming the --resume that takes the run over, which on this host it does at once.
 */
class SecondCtrlCTest {

    @Test
    void aSecondCtrlCLeavesOneJsonDocumentAndTheCommandThatTakesTheRunOver(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Hold hold = new Hold("createIndexes", "org_"); // the child's first index build: an org in flight when both signals come
        try (TestPools pools = new TestPools(1, () -> LatencyBackend.hooked(StandIn.memory(), hold::hook))) {
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
            List<String> orgs = List.of("acme", "globex", "initech");
            MigrateAllFixture.provision(cli, v1, orgs);
            hold.armed.set(true);

            Process child = ChildJvm.start(dir, Map.of("TENANTCTL_CATALOG_URL", url, "USER", "ctrl-c-test"), Main.class.getName(),
                    "migrate-all", "--schema", v2.toString(), "--concurrency", "1", "-o", "json");
            hold.ctrlCTwice(child, dir);
            String out = Files.readString(dir.resolve("child.stdout"));
            String err = Files.readString(dir.resolve("child.stderr"));
            assertThat(child.exitValue()).as(err).isEqualTo(130);
            JsonNode doc = strictJson(new Cli.Result(130, out, err));
            String runId = doc.get("error").get("run_id").asText();
            assertThat(doc.get("error").get("code").asInt()).isEqualTo(130);
            assertThat(doc.get("error").get("category").asText()).isEqualTo("interrupted");
            assertThat(err).contains("quit at once").contains("tenantctl migrate-all --resume " + runId).contains("runs cancel " + runId);

            // on this host the dead worker's org is taken over at once, and the run finishes every org
            hold.armed.set(false);
            long t0 = System.nanoTime();
            JsonNode resumed = strictJson(ok(cli, "migrate-all", "--resume", runId, "-o", "json"));
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).isLessThan(java.time.Duration.ofSeconds(40));
            assertThat(resumed.get("status").asText()).isEqualTo("succeeded");
            CliFixture.assertClean(url, v2, orgs);
        }
    }

    /** A restore quit at once names its run too (the org and backup to restore again); the next restore rolls it back and redoes it. */
    @Test
    void aSecondCtrlCDuringARestoreNamesItsRunAndTheNextRestoreFinishes(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Hold hold = new Hold("insert", "org_acme__r"); // the restore's first insert into its fresh database
        try (TestPools pools = new TestPools(1, () -> LatencyBackend.hooked(StandIn.memory(), hold::hook));
             com.mongodb.client.MongoClient direct = com.mongodb.client.MongoClients.create(pools.uri(0))) {
            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", url, "TENANTCTL_STORE", dir.resolve("store").toUri().toString(),
                    "USER", "test");
            Cli cli = new Cli(env);
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            MigrateAllFixture.provision(cli, MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1), List.of("acme"));
            for (int i = 0; i < 20; i++) {
                direct.getDatabase("org_acme").getCollection("users").insertOne(new org.bson.Document("_id", i).append("email", i + "@acme.test"));
            }
            ok(cli, "backup", "--org", "acme");
            hold.armed.set(true);

            Process child = ChildJvm.start(dir, env, Main.class.getName(), "restore", "--org", "acme", "-o", "json");
            hold.ctrlCTwice(child, dir);
            String out = Files.readString(dir.resolve("child.stdout"));
            String err = Files.readString(dir.resolve("child.stderr"));
            assertThat(child.exitValue()).as(err).isEqualTo(130);
            JsonNode doc = strictJson(new Cli.Result(130, out, err));
            String runId = doc.get("error").path("run_id").asText(null);
            assertThat(runId).as("the restore's run is named: " + out).isNotNull();
            assertThat(err).contains("restore run " + runId).contains("tenantctl runs show " + runId);

            hold.armed.set(false);
            JsonNode again = strictJson(ok(cli, "restore", "--org", "acme", "-o", "json"));
            assertThat(again.path("status").asText(again.toString())).isNotEqualTo("failed");
            assertThat(direct.getDatabase(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).get("database_name").asText())
                    .getCollection("users").countDocuments()).isEqualTo(20);
        }
    }

    /** Once armed, the first {@code command} on a database named {@code dbPrefix}… waits there until the child has been signalled. */
    private static final class Hold {
        final java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final String command;
        private final String dbPrefix;

        Hold(String command, String dbPrefix) {
            this.command = command;
            this.dbPrefix = dbPrefix;
        }

        void hook(String db, String cmd) {
            if (armed.get() && cmd.equals(command) && db.startsWith(dbPrefix)) {
                entered.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Once the child is held: Ctrl-C, its "press Ctrl-C again", Ctrl-C; the child ends (then the hold lets go). */
        void ctrlCTwice(Process child, Path dir) throws Exception {
            try {
                assertThat(entered.await(60, TimeUnit.SECONDS)).as("the child reached its held " + command).isTrue();
                signal(child);
                waitFor(child, dir.resolve("child.stderr"), "press Ctrl-C again");
                signal(child);
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                release.countDown();
                child.destroyForcibly();
            }
        }
    }

    private static void signal(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Waits (bounded) until the child's stderr holds {@code text}. */
    private static void waitFor(Process child, Path stderr, String text) throws Exception {
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
        while (!Files.readString(stderr).contains(text)) {
            assertThat(child.isAlive()).as("the child ended first").isTrue();
            assertThat(java.time.Instant.now()).isBefore(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
