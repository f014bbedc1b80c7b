package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedBlobStore;
import org.jclouds.blobstore.BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DR drill, the catalog lost, {@code orgs adopt --file} of a pool's hundreds of orgs while the S3 store stops answering: each
 * org's backups were asked for anyway, each waiting out the socket timeout and the client's retries (3 x 30 s by default) for
 * the same end — hours for a file of a few hundred orgs. Once the store did not answer, the orgs after it fail at once, each
 * naming the store's silence and its adopt to run again. (The batch lists the store once and reads a few orgs' manifests at
 * once: those in flight wait together, the orgs not read yet are not asked.)
 */
@Timeout(180)
class AnAdoptBatchAsksASilentStoreOnceTest {

    @TempDir
    Path dir;

    private final AtomicBoolean silent = new AtomicBoolean();
    private final java.util.List<String> listedWhileSilent = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Set<String> manifestsAskedWhileSilent = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final CountDownLatch end = new CountDownLatch(1);

    /** The in-memory store, each manifest's GET never answered while {@link #silent} is set; the prefixes listed then kept. */
    private BlobStore silencing(BlobStore real) {
        return HookedBlobStore.hooked(real, name -> {
            if (silent.get()) {
                manifestsAskedWhileSilent.add(name);
                try {
                    end.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, options -> {
            if (silent.get()) {
                listedWhileSilent.add(String.valueOf(options.getPrefix()));
            }
        });
    }

    @Test
    void theOrgsAfterTheFirstTheStoreDidNotAnswerForFailAtOnce() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(this::silencing)) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
            env.put("TENANTCTL_S3_SOCKET_TIMEOUT_MS", "300");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                java.util.List<String> orgs = new java.util.ArrayList<>();
                for (int i = 0; i < 12; i++) { // more than are read at once
                    orgs.add("org" + i);
                }
                f.provision(orgs.toArray(String[]::new));
                ok(f.cli, "backup", "--all");

                Cli lost = f.onALostCatalog(env);
                Path file = Files.writeString(dir.resolve("adopt.txt"), String.join("\n", orgs) + "\n");

                silent.set(true);
                Cli.Result r = lost.run("orgs", "adopt", "--file", file.toString(), "--pool", "pool-0", "-o", "json");
                JsonNode batch = strictJson(r);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
                assertThat(batch.path("failed").asInt()).as("%s", batch).isEqualTo(orgs.size());
                assertThat(listedWhileSilent).as("the store listed once for the batch")
                        .filteredOn(p -> !p.contains("tenantctl-store-probe")).hasSize(1);
                assertThat(manifestsAskedWhileSilent).as("the orgs not read when the store did not answer are not asked of it")
                        .isNotEmpty().hasSizeLessThan(orgs.size());
                for (JsonNode o : batch.path("orgs")) {
                    assertThat(o.path("error").asText()).as("%s", o).contains("not adopted").contains(env.get("TENANTCTL_STORE"));
                    assertThat(o.path("next_step").asText()).as("%s", o).isEqualTo("tenantctl orgs adopt " + o.path("org_id").asText()
                            + " --pool pool-0");
                }
                assertThat(java.util.stream.StreamSupport.stream(batch.path("orgs").spliterator(), false)
                        .filter(o -> o.path("error").asText().contains("were not read")).count()).as("%s", batch)
                        .isEqualTo(orgs.size() - manifestsAskedWhileSilent.size());
                assertThat(lost.run("orgs", "show", "org1").exitCode()).as("org1 is not adopted on a guess").isNotZero();
            } finally {
                end.countDown();
            }
        }
    }
}
