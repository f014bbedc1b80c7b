package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedBlobStore;
import org.jclouds.rest.AuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backups list --org acme} on S3 made two LIST calls: a probe of {@code tenantctl-store-probe/} ("does the store
 * answer") and then the org's own listing. The list's first act on the store is that listing, made before anything is
 * recorded or printed, so it is the check: one LIST, and a store that refuses it is still exit 3 naming the store.
 */
@Timeout(300)
class BackupsListOfOneOrgListsTheStoreOnceTest {

    @TempDir
    Path dir;

    private final List<String> listed = new CopyOnWriteArrayList<>();
    private final AtomicBoolean refuse = new AtomicBoolean();

    @Test
    void oneOrgsBackupsAreOneListingAndAStoreThatRefusesItIsStillExit3() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(real -> HookedBlobStore.hooked(real, manifest -> { }, options -> {
            listed.add(String.valueOf(options.getPrefix()));
            if (refuse.get()) {
                throw new AuthorizationException("s3:ListBucket denied (test)");
            }
        }))) {
            Map<String, String> env = new HashMap<>(s3.env());
            String store = "s3://" + s3.newBucket() + "/backups";
            env.put("TENANTCTL_STORE", store);
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme", "beta");
                String first = f.backup("acme");
                String second = f.backup("acme");
                f.backup("beta");

                listed.clear();
                JsonNode list = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
                List<String> ids = new java.util.ArrayList<>();
                list.get("backups").forEach(b -> ids.add(b.get("backup_id").asText() + " " + b.get("status").asText()));
                assertThat(ids).as("acme's backups, newest first").containsExactly(second + " complete", first + " complete");
                assertThat(listed).as("the LIST calls of one org's backups list: its own prefix, once").containsExactly("backups/acme/");

                refuse.set(true);
                Cli.Result r = f.cli.run("backups", "list", "--org", "acme");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.out()).as("nothing listed").isEmpty();
                assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
                assertThat(r.err()).contains(store).contains("access denied");
            }
        }
    }
}
