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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DR drill, the catalog lost: {@code orgs adopt --file} of a pool's orgs asked the S3 store one LIST of each org's backups
 * and then read its manifest, one org after another (200 orgs: 17 s through S3Proxy, minutes against a distant region).
 * The batch lists the store once for all its orgs, and reads their manifests a few at once.
 */
@Timeout(300)
class AnAdoptBatchListsTheStoreOnceTest {

    @TempDir
    Path dir;

    private final AtomicInteger lists = new AtomicInteger();
    private final AtomicInteger manifestReads = new AtomicInteger();

    /** The in-memory store, its LIST calls and manifest GETs counted. */
    private BlobStore counting(BlobStore real) {
        return HookedBlobStore.hooked(real, manifest -> manifestReads.incrementAndGet(), options -> lists.incrementAndGet());
    }

    @Test
    void theStoreIsListedAsOftenForTenOrgsAsForTwo() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(this::counting)) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                List<String> orgs = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    orgs.add("org" + i);
                }
                f.provisionTier("growth", "pool-0", orgs.toArray(String[]::new));
                ok(f.cli, "backup", "--all");

                Cli lost = f.onALostCatalog(env);

                int[] two = adopt(lost, orgs.subList(0, 2));
                int[] ten = adopt(lost, orgs.subList(2, 12));

                assertThat(ten[0]).as("LIST calls adopting 10 orgs, as many as adopting 2 (%s)", two[0]).isEqualTo(two[0]);
                assertThat(ten[1]).as("manifests read adopting 10 orgs, each newest backup's once").isEqualTo(10);
                for (String org : orgs) {
                    assertThat(strictJson(ok(lost, "orgs", "show", org, "-o", "json")).path("tier").asText())
                            .as("%s takes its tier from its backup", org).isEqualTo("growth");
                }
            }
        }
    }

    /** Adopts {@code orgs} as one --file batch; the LIST calls and manifest GETs it made. */
    private int[] adopt(Cli cli, List<String> orgs) throws Exception {
        Path file = Files.writeString(dir.resolve("adopt-" + orgs.size() + ".txt"), String.join("\n", orgs) + "\n");
        lists.set(0);
        manifestReads.set(0);
        JsonNode batch = strictJson(ok(cli, "orgs", "adopt", "--file", file.toString(), "--pool", "pool-0", "-o", "json"));
        assertThat(batch.path("adopted").asInt()).as("%s", batch).isEqualTo(orgs.size());
        return new int[] {lists.get(), manifestReads.get()};
    }
}
