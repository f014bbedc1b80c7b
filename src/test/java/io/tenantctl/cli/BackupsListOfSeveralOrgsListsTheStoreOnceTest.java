package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedBlobStore;
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
 * {@code backups list --org a,b,c} listed the store once for each org named (on S3, one LIST of each org's prefix: a
 * hundred orgs named, a hundred requests), where {@code backups list} of every org lists a batch of orgs' prefixes
 * together ({@code ObjectStore.listEach}: one paginated listing). The orgs named are listed together too, and the list
 * says what it said: each named org's backups as listing it alone shows them, and nothing of an org not named.
 */
@Timeout(300)
class BackupsListOfSeveralOrgsListsTheStoreOnceTest {

    @TempDir
    Path dir;

    private final AtomicInteger lists = new AtomicInteger();

    @Test
    void theOrgsNamedAreListedInOnePassAndEachShowsWhatItShowsAlone() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(real -> HookedBlobStore.hooked(real, manifest -> { },
                options -> lists.incrementAndGet()))) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/backups");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme", "beta", "cobalt", "delta");
                List<String> mine = new ArrayList<>(List.of(f.backup("acme"), f.backup("acme"), f.backup("cobalt"), f.backup("delta")));
                String others = f.backup("beta"); // between the orgs named, in the store's order: not theirs

                List<JsonNode> alone = new ArrayList<>();
                int one = 0;
                for (String org : List.of("acme", "cobalt", "delta")) {
                    lists.set(0);
                    strictJson(ok(f.cli, "backups", "list", "--org", org, "-o", "json")).get("backups").forEach(alone::add);
                    one = Math.max(one, lists.get());
                }

                lists.set(0);
                JsonNode together = strictJson(ok(f.cli, "backups", "list", "--org", "delta,acme,cobalt", "-o", "json"));
                int three = lists.get();

                List<JsonNode> rows = new ArrayList<>();
                together.get("backups").forEach(rows::add);
                assertThat(rows).as("the orgs named, in order, each as listing it alone shows it").containsExactlyElementsOf(alone);
                assertThat(rows).extracting(b -> b.get("backup_id").asText()).containsExactlyInAnyOrderElementsOf(mine);
                assertThat(three).as("LIST calls listing 3 orgs named, as many as listing one of them (%s)", one).isEqualTo(one);

                Cli.Result text = f.cli.run("backups", "list", "--org", "delta,acme,cobalt");
                assertThat(text.exitCode()).as(text.toString()).isZero();
                assertThat(text.out()).contains(mine).doesNotContain(others).doesNotContain("beta");
            }
        }
    }
}
