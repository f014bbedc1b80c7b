package io.tenantctl.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.catalog.MoveState;
import io.tenantctl.catalog.Org;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming (different verbs at once), the move side of MigrateAllDuringAFrozenBackupTest: the deploy's
 * {@code migrate-all} runs while a {@code rebalance} move has frozen an org (read_only from the freeze to the flip, the
 * move holding the org's lease). migrate-all selects by status, skips the org ("org is read_only: migrate it once it is
 * active again") and exits 0; the move flips a moment later and the org is active on its new pool with the old
 * manifest, in a rollout that reported success. The frozen org must be waited for (its lease) like any busy org, or at
 * least the rollout must not report success with it left behind.
 */
@Timeout(180)
class MigrateAllDuringAMoveFreezeTest {

    private static final String V2 = """
            {"collections": [
              {"name": "users", "indexes": [{"name": "email_1", "key": {"email": 1}, "unique": true}]},
              {"name": "notes", "indexes": [{"name": "owner_1_at_-1", "key": {"owner": 1, "at": -1}},
                                            {"name": "text_1", "key": {"text": 1}}]}
            ]}
            """;

    @Test
    void aRolloutDuringAMoveFreezeDoesNotExit0WithTheMovedOrgOnTheOldManifest(@TempDir Path dir) throws Exception {
        try (RebalanceFixture f = new RebalanceFixture(10, 10)) {
            f.org("acme", 1, 200);
            f.org("beta", 1, 10);
            Path v2 = dir.resolve("v2.json");
            Files.writeString(v2, V2);
            String v2Hash = SchemaManifest.load(v2).hash();
            Cli cli = Cli.withCatalog(f.url);
            Fingerprint before = f.fingerprint(f.current("acme"));

            // the deploy's rollout runs the moment the move has frozen acme (short --busy-timeout: a fix that waits ends here)
            AtomicReference<Cli.Result> rollout = new AtomicReference<>();
            Rebalance rebalance = new Rebalance(f.ctx, (state, move) -> {
                if (state == MoveState.FROZEN && rollout.get() == null) {
                    assertThat(f.catalog.orgs().get("acme").status()).isEqualTo(Org.READ_ONLY);
                    rollout.set(cli.run("migrate-all", "--schema", v2.toString(), "--busy-timeout", "1", "-o", "json"));
                }
            });
            Rebalance.Result moved = f.move(rebalance, "acme", "p2");

            assertThat(moved.report().count("moved")).as(moved.report().toString()).isEqualTo(1);
            Org acme = f.catalog.orgs().get("acme");
            assertThat(acme.poolId()).isEqualTo("p2");
            assertThat(acme.status()).isEqualTo(Org.ACTIVE);
            assertThat(f.fingerprint(f.current("acme"))).as("acme's documents").isEqualTo(before);
            assertThat(f.catalog.orgs().get("beta").schemaHash()).as("beta got the release's manifest").isEqualTo(v2Hash);

            Cli.Result r = rollout.get();
            assertThat(r).as("the rollout ran during the freeze").isNotNull();
            boolean acmeOnV2 = v2Hash.equals(acme.schemaHash()) && indexNames(f.current("acme"), "notes").contains("text_1");
            JsonNode json = r.json();
            assertThat(acmeOnV2 || r.exitCode() != 0)
                    .as("the rollout exited %s while acme, frozen only for its move, ended on p2 on the old manifest (%s): %s",
                            r.exitCode(), acme.schemaHash(), json.toPrettyString())
                    .isTrue();
        }
    }

    private static List<String> indexNames(MongoDatabase db, String collection) {
        List<String> out = new ArrayList<>();
        db.getCollection(collection).listIndexes().forEach((Document d) -> out.add(d.getString("name")));
        return out;
    }
}
