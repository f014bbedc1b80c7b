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
 * A helper found that a delete refused after its final backup completed (the org written during it) left that complete
 * backup, marked a delete's, as the org's newest while the org stays active - after a catalog loss, adopt brings the org
 * back read_only "as being deleted" - and the refusal did not say so. It names the backup it left, and the ordinary
 * backup that supersedes it; taken, adopt after a catalog loss brings the org back active.
 */
class ARefusedDeleteSaysTheFinalBackupItLeftTest {

    @TempDir
    Path dir;

    @Test
    void theRefusalNamesTheBackupItLeftAndTheBackupThatSupersedesIt() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            MongoDatabase direct = f.database("pool-0", "org_acme");
            direct.getCollection("a_notes").insertOne(new Document("_id", 1));
            direct.getCollection("b_notes").insertOne(new Document("_id", 1));
            AtomicBoolean once = new AtomicBoolean();
            Cli hooked = f.newCli();
            hooked.decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme") ? db
                    : HookedPools.beforeEach(db, "getCollection", args -> {
                        if (args.length == 2 && "b_notes".equals(args[0]) && args[1] == RawBsonDocument.class
                                && once.compareAndSet(false, true)) {
                            direct.getCollection("a_notes").insertOne(new Document("_id", "late"));
                        }
                    })));

            Cli.Result refused = hooked.run("orgs", "delete", "acme");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups");
            String left = listed.get(0).get("backup_id").asText();
            assertThat(refused.err()).as(refused.toString()).contains("final backup " + left + " is left in the store")
                    .contains("'tenantctl backup --org acme'");
            assertThat(refused.err().strip().lines().count()).as("one line: " + refused).isEqualTo(1);

            // followed: the org's newest backup is an ordinary one again
            String next = refused.err().substring(refused.err().indexOf("'tenantctl backup --org acme'") + "'tenantctl ".length());
            ok(f.cli, next.substring(0, next.indexOf('\'')).split(" "));
            JsonNode after = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups");
            assertThat(after.get(0).get("backup_id").asText()).isNotEqualTo(left);
        }
    }
}
