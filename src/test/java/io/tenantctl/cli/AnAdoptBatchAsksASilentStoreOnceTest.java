package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
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
 * naming the store's silence and its adopt to run again.
 */
@Timeout(180)
class AnAdoptBatchAsksASilentStoreOnceTest {

    @TempDir
    Path dir;

    private final AtomicBoolean silent = new AtomicBoolean();
    private final java.util.List<String> listedWhileSilent = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CountDownLatch end = new CountDownLatch(1);

    /** The in-memory store, each manifest's GET never answered while {@link #silent} is set; the prefixes listed then kept. */
    private BlobStore silencing(BlobStore real) {
        return new ForwardingBlobStore(real) {
            @Override
            public Blob getBlob(String container, String name) {
                return getBlob(container, name, GetOptions.NONE);
            }

            @Override
            public Blob getBlob(String container, String name, GetOptions options) {
                if (silent.get() && name.endsWith("/manifest.json")) {
                    try {
                        end.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.getBlob(container, name, options);
            }

            @Override
            public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
                if (silent.get()) {
                    listedWhileSilent.add(String.valueOf(options.getPrefix()));
                }
                return super.list(container, options);
            }
        };
    }

    @Test
    void theOrgsAfterTheFirstTheStoreDidNotAnswerForFailAtOnce() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(this::silencing)) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
            env.put("TENANTCTL_S3_SOCKET_TIMEOUT_MS", "300");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme", "beta", "gamma");
                ok(f.cli, "backup", "--all");

                Map<String, String> fresh = new HashMap<>(env);
                fresh.put("TENANTCTL_CATALOG_URL", TestCatalog.newDatabase());
                fresh.put("USER", "test");
                Cli lost = new Cli(fresh);
                ok(lost, "init");
                CliFixture.addPool(lost, "pool-0", f.pools.uri(0), 100, 1);
                Path file = Files.writeString(dir.resolve("adopt.txt"), "acme\nbeta\ngamma\n");

                silent.set(true);
                Cli.Result r = lost.run("orgs", "adopt", "--file", file.toString(), "--pool", "pool-0", "-o", "json");
                JsonNode batch = strictJson(r);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
                assertThat(batch.path("failed").asInt()).as("%s", batch).isEqualTo(3);
                assertThat(listedWhileSilent).as("the backups of the orgs after acme are not asked of the silent store")
                        .anyMatch(p -> p.endsWith("/acme/")).noneMatch(p -> p.endsWith("/beta/") || p.endsWith("/gamma/"));
                for (JsonNode o : batch.path("orgs")) {
                    assertThat(o.path("error").asText()).as("%s", o).contains("not adopted").contains(env.get("TENANTCTL_STORE"));
                    assertThat(o.path("next_step").asText()).as("%s", o).isEqualTo("tenantctl orgs adopt " + o.path("org_id").asText()
                            + " --pool pool-0");
                }
                assertThat(lost.run("orgs", "show", "beta").exitCode()).as("beta is not adopted on a guess").isNotZero();
            } finally {
                end.countDown();
            }
        }
    }
}
