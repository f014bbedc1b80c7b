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
 * {@code backups show ID} on S3 listed {@code tenantctl-store-probe/} ("does the store answer") before its first real
 * act, the listing of the backup's org, made before anything is printed: that listing is the check. Show lists only the
 * org's backups, and a store that refuses it is still exit 3 naming the store. Its files were then listed twice, once to
 * mark each and once for the check restore makes, where one listing (as the README says) tells both.
 */
@Timeout(300)
class BackupsShowListsOnlyTheOrgsBackupsTest {

    @TempDir
    Path dir;

    private final List<String> listed = new CopyOnWriteArrayList<>();
    private final AtomicBoolean refuse = new AtomicBoolean();

    @Test
    void showListsOnlyTheOrgsPrefixAndAStoreThatRefusesItIsStillExit3() throws Exception {
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
                String id = f.backup("acme");

                listed.clear();
                JsonNode shown = strictJson(ok(f.cli, "backups", "show", id, "-o", "json"));
                assertThat(shown.get("backup").get("status").asText()).isEqualTo("complete");
                assertThat(listed).as("the prefixes backups show listed: acme's backups first, nothing outside them")
                        .isNotEmpty().allMatch(p -> p.startsWith("backups/acme/")).first().isEqualTo("backups/acme/");

                assertThat(listed).as("the backup's folder, listed once (its files at their sizes: what each is marked by and "
                        + "what the check restore makes reads)").filteredOn(("backups/acme/" + id + "/")::equals).hasSize(1);

                refuse.set(true);
                Cli.Result r = f.cli.run("backups", "show", id);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.out()).as("nothing shown").isEmpty();
                assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
                assertThat(r.err()).contains(store).contains("access denied");
            }
        }
    }
}
