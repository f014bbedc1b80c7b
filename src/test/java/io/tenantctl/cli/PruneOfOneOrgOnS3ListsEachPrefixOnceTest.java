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
 * {@code backups prune --org acme} on S3 made four LIST calls: {@code tenantctl-store-probe/} ("does the store answer"),
 * acme's prefix (its backups), the newest complete backup's folder (its files at their sizes: the one kept must restore)
 * and the folder of the one it deletes (its keys). The probe told nothing the listing of acme's backups, made next with
 * nothing deleted or printed before it, does not: that listing is the check. What it deletes and keeps is unchanged, and
 * a store that refuses LIST is still exit 3, one line naming the store, nothing deleted. Nor did the newest's folder: the
 * listing of acme's prefix holds each of its files at its size, which the check that the one kept restores reads there.
 */
@Timeout(300)
class PruneOfOneOrgOnS3ListsEachPrefixOnceTest {

    @TempDir
    Path dir;

    private final List<String> listed = new CopyOnWriteArrayList<>();
    private final AtomicBoolean refuse = new AtomicBoolean();

    @Test
    void pruneOfOneOrgListsItsBackupsWithNoProbeBeforeAndPrunesTheSame() throws Exception {
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
                f.provision("acme");
                f.notes("acme", "notes", 3);
                String old = f.backup("acme");
                String middle = f.backup("acme");
                String newest = f.backup("acme");

                refuse.set(true); // a store that refuses LIST: exit 3 naming it, before anything is deleted or printed
                Cli.Result refused = f.cli.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0");
                assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
                assertThat(refused.out()).as("nothing printed").isEmpty();
                assertThat(refused.err().strip().lines().count()).as("one line: " + refused).isEqualTo(1);
                assertThat(refused.err()).contains(store).contains("access denied");
                refuse.set(false);
                JsonNode before = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
                List<String> all = new java.util.ArrayList<>();
                before.get("backups").forEach(b -> all.add(b.get("backup_id").asText() + " " + b.get("status").asText()));
                assertThat(all).as("nothing deleted by the refused prune")
                        .containsExactly(newest + " complete", middle + " complete", old + " complete");

                listed.clear();
                JsonNode r = strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0", "-o", "json"));
                Map<String, String> actions = new HashMap<>();
                r.get("decisions").forEach(d -> actions.put(d.get("backup_id").asText(), d.get("action").asText()));
                assertThat(actions).as(r.toString())
                        .containsOnly(Map.entry(old, "delete"), Map.entry(middle, "delete"), Map.entry(newest, "keep"));
                assertThat(r.get("deleted").asInt()).isEqualTo(2);
                assertThat(listed).as("the LIST calls of one org's prune: its backups first (no probe before), which hold the "
                        + "newest's files (checked there, its folder not listed again), then each deleted one's folder")
                        .containsExactly("backups/acme/", "backups/acme/" + middle + "/", "backups/acme/" + old + "/");

                JsonNode after = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
                List<String> left = new java.util.ArrayList<>();
                after.get("backups").forEach(b -> left.add(b.get("backup_id").asText() + " " + b.get("status").asText()));
                assertThat(left).as("what is left: the newest, the pruned ones no longer listed").containsExactly(newest + " complete");
            }
        }
    }
}
