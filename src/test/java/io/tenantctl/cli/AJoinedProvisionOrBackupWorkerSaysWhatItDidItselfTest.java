package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two workers of one detached provision (or backup) run, one of which did 1 org and the other 3: each one's log said
 * the run's counts ("provisioned 4", "backed up 4") as if they were its own, as migrate-all's did before its workers
 * said what they did themselves. Each now adds what it did itself out of the run's orgs, and -o json a {@code worker}
 * object, numbers that add up to the run's.
 */
@Timeout(120)
class AJoinedProvisionOrBackupWorkerSaysWhatItDidItselfTest {

    @TempDir
    Path dir;

    @Test
    void eachJoinedProvisionWorkerSaysWhatItDidItselfInNumbersThatAddUp() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("zeta"); // already active: the run's "unchanged" as it selects it, no worker's
            String runId = strictJson(ok(f.cli, "provision", "--schema", f.schema.toString(), "acme", "beta", "gamma", "delta", "zeta",
                    "--detach", "-o", "json")).get("run_id").asText();

            Map<String, Object> ran = twoWorkers(f, "provision", runId);
            Cli.Result text = (Cli.Result) ran.get("text");
            assertThat(text.out().lines().toList()).as(text.toString()).contains(
                    "run " + runId + ": provisioned 4, unchanged 1, failed 0",
                    "this worker did 1 of the run's 5 orgs: provisioned 1, unchanged 0, skipped 0, failed 0 (the run's counts above are every worker's)");
            JsonNode doc = (JsonNode) ran.get("json");
            assertThat(doc.get("provisioned").asInt()).isEqualTo(4); // the run's, as before
            assertThat(doc.get("unchanged").asInt()).isEqualTo(1);
            JsonNode mine = doc.get("worker");
            assertThat(mine.get("orgs").asInt()).as(doc.toPrettyString()).isEqualTo(3);
            assertThat(mine.get("provisioned").asInt()).isEqualTo(3);
            assertThat(mine.get("unchanged").asInt() + mine.get("skipped").asInt() + mine.get("failed").asInt()).isZero();
            // this worker's 3, the other's 1 and the one the run found active add up to the run's orgs
            assertThat(mine.get("orgs").asInt() + 1 + 1).isEqualTo(outcomes(doc));
            for (String o : new String[]{"acme", "beta", "gamma", "delta", "zeta"}) {
                assertThat(f.org(o).get("status").asText()).as(o).isEqualTo("active");
            }

            // one worker that did the whole run itself: the run's line says it all (an org found active is still no worker's)
            Cli.Result alone = ok(f.cli, "provision", "--schema", f.schema.toString(), "zeta", "omega");
            assertThat(alone.out()).as(alone.toString()).contains("provisioned 1, unchanged 1, failed 0").doesNotContain("this worker did");
            JsonNode aloneJson = strictJson(ok(f.cli, "provision", "--schema", f.schema.toString(), "omega", "sigma", "-o", "json"));
            assertThat(aloneJson.get("worker").get("orgs").asInt()).as(aloneJson.toPrettyString()).isEqualTo(1);
            assertThat(aloneJson.get("worker").get("provisioned").asInt()).isEqualTo(1);
        }
    }

    @Test
    void eachJoinedBackupWorkerSaysWhatItDidItselfInNumbersThatAddUp() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta", "gamma", "delta");
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme,beta,gamma,delta", "--detach", "-o", "json")).get("run_id").asText();

            Map<String, Object> ran = twoWorkers(f, "backup", runId);
            Cli.Result text = (Cli.Result) ran.get("text");
            assertThat(text.out()).as(text.toString()).contains("run " + runId + ": backed up 4 to ");
            assertThat(text.out().lines().toList()).as(text.toString()).contains(
                    "this worker did 1 of the run's 4 orgs: backed_up 1, skipped 0, failed 0 (the run's counts above are every worker's)");
            JsonNode doc = (JsonNode) ran.get("json");
            assertThat(doc.get("backed_up").asInt()).isEqualTo(4); // the run's, as before
            JsonNode mine = doc.get("worker");
            assertThat(mine.get("orgs").asInt()).as(doc.toPrettyString()).isEqualTo(3);
            assertThat(mine.get("backed_up").asInt()).isEqualTo(3);
            assertThat(mine.get("skipped").asInt() + mine.get("failed").asInt()).isZero();
            assertThat(mine.get("orgs").asInt() + 1).isEqualTo(outcomes(doc));
            JsonNode backups = strictJson(ok(f.cli, "backups", "list", "-o", "json")).get("backups");
            assertThat(backups).as("each org backed up once: " + backups).hasSize(4);
            backups.forEach(b -> assertThat(b.get("status").asText()).as(b.toString()).isEqualTo("complete"));
        }
    }

    /**
     * Worker a joins {@code runId} and is held in its first org while worker b (-o json) takes the run's others; both
     * then finish. Returns a's result ("text", exit 0) and b's document ("json", exit 0).
     */
    private static Map<String, Object> twoWorkers(BackupFixture f, String verb, String runId) throws Exception {
        Set<String> othersSeen = ConcurrentHashMap.newKeySet();
        CountDownLatch othersStarted = new CountDownLatch(3);
        try (Pause first = Pause.at(1)) {
            Cli one = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.startsWith("org_") ? db
                    : HookedPools.beforeEach(db, "listCollectionNames", first::call)));
            CompletableFuture<Cli.Result> a = one.start(verb, "--join", runId, "--concurrency", "1");
            first.awaitPaused("worker a in its first org");
            Cli three = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.startsWith("org_") ? db
                    : HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        if (othersSeen.add(name)) {
                            othersStarted.countDown();
                        }
                    })));
            CompletableFuture<Cli.Result> b = three.start(verb, "--join", runId, "--concurrency", "1", "-o", "json");
            assertThat(othersStarted.await(60, TimeUnit.SECONDS)).as("worker b took the run's 3 other orgs").isTrue();
            first.wake();

            Cli.Result text = a.get(60, TimeUnit.SECONDS);
            assertThat(text.exitCode()).as(text.toString()).isZero();
            Cli.Result json = b.get(60, TimeUnit.SECONDS);
            assertThat(json.exitCode()).as(json.toString()).isZero();
            return Map.of("text", text, "json", strictJson(json));
        }
    }

    /** The run's outcomes in a summary's counts{}, added up. */
    private static int outcomes(JsonNode doc) {
        int n = 0;
        for (var c : (Iterable<Map.Entry<String, JsonNode>>) doc.get("counts")::fields) {
            n += c.getValue().asInt();
        }
        return n;
    }
}
