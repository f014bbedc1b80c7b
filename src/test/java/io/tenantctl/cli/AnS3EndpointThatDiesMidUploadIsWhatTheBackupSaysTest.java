package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.FaultProxy;
import io.tenantctl.testing.HookedBlobStore;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probe reported that a backup whose S3 endpoint died mid-upload recorded a later probe's error ("cannot check
 * …/manifest.json"), not the failed upload. Of one org it does not: that check is the backup's first call to the store, so
 * it is what fails only when the endpoint dies before any upload. Held here: an endpoint that dies for good during a
 * collection file's upload, or the manifest's, is named as that upload by the backup row, the run item and the command's
 * message, which say what to do (check that the store is up and reachable, then try again). Of several orgs at once it did: another org in flight then failed its own first call, that check, and the run
 * said whichever of its loops came first in a list; it says the first failure now.
 */
class AnS3EndpointThatDiesMidUploadIsWhatTheBackupSaysTest {

    private static S3ProxyFixture s3;
    /** What the in-memory store does first with each call (its name and key, see {@link HookedBlobStore#onCall}); null: nothing. */
    private static volatile java.util.function.BiConsumer<String, String> onCall;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyFixture.start(real -> HookedBlobStore.onCall(real, (call, key) -> {
            var hook = onCall;
            if (hook != null) {
                hook.accept(call, key);
            }
        }));
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @TempDir
    Path dir;

    /** {@code pct}: how far into a healthy backup's traffic the endpoint dies; {@code file}: the upload that meets it. */
    @ParameterizedTest
    @CsvSource({"40, notes.ndjson.zst", "95, manifest.json"})
    void theBackupRowTheRunItemAndTheMessageNameTheFailedUpload(int pct, String file) throws Exception {
        try (FaultProxy proxy = FaultProxy.to(s3.endpoint().toString())) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_S3_ENDPOINT", proxy.uriFor(s3.endpoint().toString()));
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
            env.put("TENANTCTL_S3_SOCKET_TIMEOUT_MS", "1500");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                f.seedNotes("acme", 3000);
                long before = proxy.bytes();
                ok(f.cli, "backup", "--org", "acme");
                long healthy = proxy.bytes() - before;
                proxy.afterBytes(healthy * pct / 100, () -> proxy.cutEvery(0)); // gone for good: every later call fails too

                Cli.Result r = f.cli.run("backup", "--org", "acme", "-o", "json");
                assertThat(proxy.fired()).as("the endpoint died during the backup").isTrue();
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                String message = strictJson(r).get("error").get("message").asText();
                String runId = strictJson(r).get("error").get("run_id").asText();
                assertThat(message).as(r.toString()).contains("cannot upload acme/").contains("/" + file + " in s3://").doesNotContain("cannot check");
                proxy.passThrough();

                JsonNode failed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups").get(0);
                assertThat(failed.get("error").asText()).as(failed.toString()).startsWith("cannot upload acme/").contains("/" + file + " in s3://")
                        .contains("the store did not answer; check that it is up and reachable from here, then try again");
                JsonNode item = CliFixture.runItem(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")), "acme");
                assertThat(item.get("error").asText()).as(item.toString()).contains("cannot upload acme/").contains("/" + file + " in s3://")
                        .contains("the store did not answer; check that it is up and reachable from here, then try again");
            }
        }
    }

    /**
     * Two orgs backed up at once: acme's collection file meets the endpoint's death (every later upload, HEAD and GET gets
     * 503), and bravo, in flight meanwhile, then fails its first call, the HEAD of its manifest-to-be. The run stopped
     * saying what its worker's first loop (bravo's, claimed first) failed on, so the command and both run items blamed
     * "cannot check bravo/…/manifest.json", a check made after the upload had failed; they name acme's failed upload now.
     */
    @Test
    void anotherOrgsCheckThatFailedAfterTheUploadIsNotWhatTheRunSays() throws Exception {
        Map<String, String> env = new HashMap<>(s3.env());
        env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
        try (BackupFixture f = new BackupFixture(2, dir, env); Pause bravoStarts = Pause.at(1)) {
            f.provisionTier("free", "pool-1", "bravo");
            f.provision("acme");
            f.notes("acme", "notes", 20);
            f.notes("bravo", "notes", 20);
            java.util.concurrent.atomic.AtomicBoolean dead = new java.util.concurrent.atomic.AtomicBoolean();
            onCall = (call, key) -> {
                if (call.equals("list")) {
                    if (dead.get() && key.startsWith("backups/acme/")) {
                        bravoStarts.wake(); // acme's upload failed for good, its leftovers listed: bravo goes on, to its HEAD
                    }
                } else if (dead.get() || call.equals("put") && key.startsWith("backups/acme/") && key.endsWith(".zst") && dead.compareAndSet(false, true)) {
                    throw HookedBlobStore.unavailable("endpoint gone (test)");
                }
            };
            // bravo, claimed first, waits at its pool's check until acme's upload has failed
            Cli cli = f.newCli().decoratePools(real -> HookedPools.onPing(real, pool -> {
                if (pool.equals("pool-1") && Thread.currentThread().getName().startsWith("run-")) {
                    bravoStarts.call();
                }
            }));
            Cli.Result r;
            try {
                r = cli.run("backup", "--org", "bravo,acme", "-o", "json");
            } finally {
                onCall = null;
            }
            assertThat(dead.get()).as("the endpoint died during acme's upload").isTrue();
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            String message = strictJson(r).get("error").get("message").asText();
            assertThat(message).as(r.toString()).contains("cannot upload acme/").contains(".zst in s3://").doesNotContain("cannot check");
            JsonNode run = strictJson(ok(f.cli, "runs", "show", strictJson(r).get("error").get("run_id").asText(), "-o", "json"));
            for (String org : java.util.List.of("acme", "bravo")) {
                assertThat(CliFixture.runItem(run, org).get("error").asText()).as(run.toPrettyString()).contains("cannot upload acme/")
                        .doesNotContain("cannot check");
            }
            JsonNode failed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups").get(0);
            assertThat(failed.get("error").asText()).as(failed.toString()).startsWith("cannot upload acme/");
        }
    }

    /**
     * Found by the 3 a.m. audit of orgs delete: its final backup's endpoint dying mid-upload stopped the backup run, and the
     * delete said the run's line ("backup run R stopped: cannot upload …; the run is kept: once that is mended, 'tenantctl
     * backup --resume R' goes on from where it stopped"): not that nothing was deleted nor that the org was writable
     * again, and a next step that backs the org up (marked a delete's final backup) but never deletes it. It is the
     * delete's line now: exit 3, nothing deleted, the org active again, the delete to run again once the store answers.
     */
    @Test
    void aDeleteWhoseEndpointDiesMidUploadSaysNothingWasDeletedAndToRunTheDeleteAgain() throws Exception {
        try (FaultProxy proxy = FaultProxy.to(s3.endpoint().toString())) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_S3_ENDPOINT", proxy.uriFor(s3.endpoint().toString()));
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
            env.put("TENANTCTL_S3_SOCKET_TIMEOUT_MS", "1500");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                f.notes("acme", "notes", 30);
                var documents = BackupFixture.contents(f.db("acme"));
                onCall = (call, key) -> { // gone for good at the final backup's first collection file
                    if (key.contains("/acme/") && key.endsWith(".zst")) {
                        proxy.cutEvery(0);
                        proxy.cutAll();
                        throw HookedBlobStore.unavailable("endpoint gone (test)");
                    }
                };
                Cli.Result r;
                try {
                    r = f.cli.run("orgs", "delete", "acme", "-o", "json");
                } finally {
                    onCall = null;
                    proxy.passThrough();
                }

                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                JsonNode error = strictJson(r).get("error");
                String runId = error.get("run_id").asText();
                assertThat(error.get("message").asText()).as(r.toString()).startsWith("final backup of org acme failed (run " + runId
                        + "): cannot upload acme/").contains("the store did not answer")
                        .contains("; nothing deleted; the org is active again; once that is mended, run the delete again")
                        .doesNotContain("--resume").doesNotContain("stopped:");
                assertThat(r.err().strip().lines()).as("one line: %s", r).hasSize(1);
                f.assertHolds("acme", documents); // active, writable, every document as it was

                // the backup run it gave up on is ended, not offered for a --resume that backs the org up marked a delete's
                JsonNode shown = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
                JsonNode run = shown.get("run");
                assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("cancelled");
                assertThat(run.get("next_step").isNull()).as(run.toString()).isTrue();
                assertThat(run.get("reason").asText()).as(run.toString()).contains("ended by 'tenantctl orgs delete acme'")
                        .contains("nothing deleted; to delete the org, run the delete again");
                JsonNode item = CliFixture.runItem(shown, "acme");
                assertThat(item.get("error").asText()).as("the failed upload kept: %s", item).contains("cannot upload acme/");
                assertThat(ok(f.cli, "runs", "list").out()).doesNotContain("--resume");
                Cli.Result resumed = f.cli.run("backup", "--resume", runId);
                assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(2);
                assertThat(resumed.err().strip().lines()).as("one line: %s", resumed).hasSize(1);
                assertThat(resumed.err()).as(resumed.toString()).contains("run " + runId + " was cancelled")
                        .contains("'tenantctl orgs delete acme'").contains("run the delete again");
                assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            }
        }
    }
}
