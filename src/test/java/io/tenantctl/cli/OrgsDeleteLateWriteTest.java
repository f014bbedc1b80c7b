package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code orgs delete} promises "the org is set read_only, backed up, and only then marked deleting — so nothing
 * written after the final backup can be lost". It freezes the org and starts the final backup at once: no
 * {@code --freeze-grace} for applications' cached routing (which {@code rebalance move} waits 5 s for), and nothing
 * afterwards checks that the database still equals what the backup streamed (a move's verification catches exactly this).
 * A write that a client with a cached "writable" route makes to a collection the backup already streamed and counted is
 * in the database but not in the final backup, and {@code orgs purge} then drops the database: the write is gone for good,
 * and every command said success.
 */
class OrgsDeleteLateWriteTest {

    @TempDir
    Path dir;

    @Test
    void aWriteThatReachesTheDatabaseDuringTheFinalBackupIsNotLostByPurge() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            MongoDatabase direct = f.database("pool-0", "org_acme");
            List<Document> a = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                a.add(new Document("_id", i).append("text", "note " + i));
            }
            direct.getCollection("a_notes").insertMany(a);
            direct.getCollection("b_notes").insertOne(new Document("_id", 1));

            // a client whose routing cache still says "writable" writes to a_notes once the backup has streamed and counted it
            AtomicBoolean once = new AtomicBoolean();
            f.cli.decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme") ? db
                    : HookedPools.beforeEach(db, "getCollection", args -> {
                        if (args.length == 2 && "b_notes".equals(args[0]) && args[1] == RawBsonDocument.class
                                && once.compareAndSet(false, true)) {
                            direct.getCollection("a_notes").insertOne(new Document("_id", "order #4711 paid"));
                        }
                    })));

            Cli.Result refused = f.cli.run("orgs", "delete", "acme");
            assertThat(once).as("the late write happened during the final backup").isTrue();
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).as(refused.toString()).contains("was written during its final backup (collections a_notes)")
                    .contains("nothing deleted").contains("the org is active again");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");

            // the application's writes stopped: the delete goes through, its backup holding the late write
            JsonNode deleted = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json"));
            Map<String, List<RawBsonDocument>> atDelete = BackupFixture.contents(direct);
            assertThat(atDelete.get("a_notes")).hasSize(101);

            ok(f.cli, "orgs", "purge", "--older-than", "0");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");

            // what is left of acme anywhere: its final backup
            ok(f.cli, "restore", "--org", "acme", "--backup", deleted.get("backup_id").asText(), "--to-org", "acme-copy");
            assertThat(BackupFixture.contents(f.db("acme-copy")))
                    .as("acme's documents when it was deleted (delete said %s)", deleted).isEqualTo(atDelete);
        }
    }
}
