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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backups list --org acme} and {@code backups show ID} on S3 each listed {@code tenantctl-store-probe/} ("does the
 * store answer") before their first real act, the listing of the org's backups, made before anything is recorded or
 * printed: that listing is the check. Each lists only the org's prefix, and a store that refuses it is still exit 3 naming
 * the store. Show then listed the backup's files twice, once to mark each and once for the check restore makes, where one
 * listing (as the README says) tells both: the listing of the org's backups, which holds each of its files at its size.
 */
@Timeout(300)
class BackupsListAndShowOfOneOrgListOnlyItsPrefixTest {

    @TempDir
    Path dir;

    private final List<String> listed = new CopyOnWriteArrayList<>();
    private final AtomicBoolean refuse = new AtomicBoolean();

    @Test
    void oneOrgsBackupsAreOneListingAndAStoreThatRefusesItIsStillExit3() throws Exception {
        onS3((f, store) -> {
            f.provision("acme", "beta");
            String first = f.backup("acme");
            String second = f.backup("acme");
            f.backup("beta");

            listed.clear();
            JsonNode list = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
            List<String> ids = new ArrayList<>();
            list.get("backups").forEach(b -> ids.add(b.get("backup_id").asText() + " " + b.get("status").asText()));
            assertThat(ids).as("acme's backups, newest first").containsExactly(second + " complete", first + " complete");
            assertThat(listed).as("the LIST calls of one org's backups list: its own prefix, once").containsExactly("backups/acme/");

            refusedNamingTheStore(f, store, "backups", "list", "--org", "acme");
        });
    }

    @Test
    void showListsOnlyTheOrgsPrefixAndAStoreThatRefusesItIsStillExit3() throws Exception {
        onS3((f, store) -> {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            String id = f.backup("acme");

            listed.clear();
            JsonNode shown = strictJson(ok(f.cli, "backups", "show", id, "-o", "json"));
            assertThat(shown.get("backup").get("status").asText()).isEqualTo("complete");
            assertThat(listed).as("the prefixes backups show listed: acme's backups, once, which hold the backup's files at "
                    + "their sizes (what each is marked by and what the check restore makes reads): its folder not listed again")
                    .containsExactly("backups/acme/");

            refusedNamingTheStore(f, store, "backups", "show", id);
        });
    }

    private interface OnS3 {
        void run(BackupFixture f, String store) throws Exception;
    }

    /** A fleet of one pool whose store is an S3 bucket recording every LIST's prefix, refusing LIST once told to. */
    private void onS3(OnS3 body) throws Exception {
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
                body.run(f, store);
            }
        }
    }

    /** With the store refusing LIST, {@code args} exits 3, prints nothing on stdout and one line naming the store. */
    private void refusedNamingTheStore(BackupFixture f, String store, String... args) {
        refuse.set(true);
        Cli.Result r = f.cli.run(args);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.out()).as("nothing printed").isEmpty();
        assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
        assertThat(r.err()).contains(store).contains("access denied");
    }
}
