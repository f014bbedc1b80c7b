package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.HookedBlobStore;
import org.jclouds.blobstore.BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
 * {@code backups list} of every org merged the catalog's rows with the store's listing one org at a time: one S3 LIST
 * of each org's prefix (10,000 orgs: 10,000 requests, minutes against a distant region, each billed). The orgs' prefixes
 * are listed together ({@code ObjectStore.listEach}: one paginated listing), the entries as they were.
 */
@Timeout(300)
class BackupsListOfEveryOrgListsTheStoreOnceTest {

    @TempDir
    Path dir;

    private final AtomicInteger lists = new AtomicInteger();

    @Test
    void theStoreIsListedAsOftenForThirtyOrgsAsForTwo() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(real -> HookedBlobStore.hooked(real, manifest -> { },
                options -> lists.incrementAndGet()))) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                List<String> orgs = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    orgs.add(String.format("org%02d", i));
                }
                f.provision(orgs.toArray(String[]::new));
                f.backup("org00");
                f.backup("org01");
                int two = listed(f, orgs.subList(0, 2));

                ok(f.cli, "backup", "--org", String.join(",", orgs.subList(2, 30)));
                int thirty = listed(f, orgs);

                assertThat(thirty).as("LIST calls listing 30 orgs' backups, as many as listing 2 orgs' (%s)", two).isEqualTo(two);
            }
        }
    }

    /** backups list of every org: each of {@code orgs} with its one complete backup, in order; the LIST calls it made. */
    private int listed(BackupFixture f, List<String> orgs) {
        lists.set(0);
        JsonNode list = strictJson(ok(f.cli, "backups", "list", "-o", "json"));
        int calls = lists.get();
        List<String> rows = new ArrayList<>();
        list.get("backups").forEach(b -> rows.add(b.get("org_id").asText() + " " + b.get("status").asText() + " "
                + b.get("in_store").asBoolean() + " " + b.get("in_catalog").asBoolean()));
        assertThat(rows).containsExactlyElementsOf(orgs.stream().map(o -> o + " complete true true").toList());
        return calls;
    }
}
