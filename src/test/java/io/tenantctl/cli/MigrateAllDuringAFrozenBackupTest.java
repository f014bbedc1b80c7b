package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming (different verbs at once): the deploy pipeline's {@code migrate-all} runs while the hourly
 * {@code backup --freeze} has an org frozen (read_only, under the backup's org lease). migrate-all chooses its orgs by
 * status before it looks at leases, so the frozen org is treated like a suspended one: "skipped: org is read_only: migrate
 * it once it is active again", and the rollout exits 0. A second later the backup thaws the org — active again, on the
 * old manifest, in a deploy that reported success. Nothing ever retries it until the next release's rollout; the new
 * application code runs against an org without the indexes (unique ones included) the release needs. The same happens
 * to an org a move has frozen (read_only from the freeze to the flip) or a restore holds (restoring).
 * <p>
 * An org that another tenantctl operation holds only for now must be waited for like any busy org (the run's worker
 * takes its lease: --busy-timeout, --wait), and only an org read_only with nobody holding it (suspended on purpose) is
 * skipped. At the very least, a rollout that leaves such an org behind must not exit 0.
 */
@Timeout(180)
class MigrateAllDuringAFrozenBackupTest {

    @TempDir
    Path dir;

    @Test
    void anOrgFrozenOnlyForTheHourlyBackupIsNotLeftOnTheOldManifestByARolloutThatExits0() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.notes("acme", "notes", 30);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            Path v2 = v2(f);
            assertThat(Files.readString(v2)).contains("text_1");
            String v2Hash = SchemaManifest.load(v2).hash();

            // the backup --freeze, held right after it froze acme (its first listing of acme's collections)
            CountDownLatch frozen = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean armed = new AtomicBoolean(true);
            Cli backupCli = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) ->
                    name.equals("org_acme") ? HookedPools.beforeEach(db, "listCollectionNames", () -> {
                        if (armed.compareAndSet(true, false)) {
                            frozen.countDown();
                            await(release);
                        }
                    }) : db));
            CompletableFuture<Cli.Result> backup = backupCli.start("backup", "--org", "acme", "--freeze", "-o", "json");
            assertThat(frozen.await(60, TimeUnit.SECONDS)).as("the backup froze acme and reads it").isTrue();
            assertThat(f.org("acme").get("status").asText()).as("frozen by the backup").isEqualTo("read_only");

            // the deploy's rollout, at that moment (a short --busy-timeout so that a fix that waits for the lease ends here)
            Cli.Result rollout = f.cli.run("migrate-all", "--schema", v2.toString(), "--busy-timeout", "1", "-o", "json");

            release.countDown();
            Cli.Result b = backup.get(60, TimeUnit.SECONDS);
            assertThat(b.exitCode()).as(b.toString()).isZero();
            assertThat(f.org("acme").get("status").asText()).as("the backup thawed acme").isEqualTo("active");
            assertThat(BackupFixture.contents(f.db("acme"))).as("acme's documents").isEqualTo(before);
            assertThat(f.org("beta").get("schema_hash").asText()).as("beta got the release's manifest").isEqualTo(v2Hash);

            boolean acmeOnV2 = v2Hash.equals(f.org("acme").get("schema_hash").asText())
                    && indexNames(f.db("acme"), "messages").contains("text_1");
            JsonNode r = strictJson(rollout);
            assertThat(acmeOnV2 || rollout.exitCode() != 0)
                    .as("the rollout exited %s while acme, frozen only for a backup, stayed on the old manifest (now active, %s): %s",
                            rollout.exitCode(), f.org("acme").get("schema_hash").asText(), r.toPrettyString())
                    .isTrue();
        }
    }

    /** The small schema plus one index on messages (text_1): the release's manifest. */
    static Path v2(BackupFixture f) throws Exception {
        Path v2 = f.schema.resolveSibling("v2.json");
        Files.writeString(v2, CliFixture.SMALL_SCHEMA.replace(
                "{\"name\": \"conv_1_created_-1\", \"key\": {\"conversationId\": 1, \"createdAt\": -1}}",
                "{\"name\": \"conv_1_created_-1\", \"key\": {\"conversationId\": 1, \"createdAt\": -1}},\n"
                        + "        {\"name\": \"text_1\", \"key\": {\"text\": 1}}"));
        return v2;
    }

    private static List<String> indexNames(MongoDatabase db, String collection) {
        List<String> out = new ArrayList<>();
        db.getCollection(collection).listIndexes().forEach((Document d) -> out.add(d.getString("name")));
        return out;
    }

    /** Waits for {@code latch} (60 s at most); an interrupt ends the wait and is kept. */
    static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
