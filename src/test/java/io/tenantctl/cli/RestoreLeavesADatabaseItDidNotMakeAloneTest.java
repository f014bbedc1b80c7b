package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a plain restore writes into {@code org_ID__r<backup>}, and when a database of that name was
 * already on the pool (one no org owns: the database of org {@code ID__r…} not adopted yet, say) it dropped it ("left by
 * an interrupted restore into the same target", exit 0) — its documents gone, its dry run silent about it. An in-place
 * restore's trial load dropped a database with its scratch name the same way. A restore now drops only a database a
 * restore run recorded as its own; any other name on the pool is passed over for the next free one.
 */
class RestoreLeavesADatabaseItDidNotMakeAloneTest {

    @TempDir
    Path dir;

    @Test
    void aPlainRestoreWritesBesideADatabaseWithItsTargetNameAndDropsNothing() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupOfAcme(f);
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            String name = firstFreshName(id);
            precious(f, name);

            JsonNode plan = strictJson(ok(f.cli, "restore", "--org", "acme", "--dry-run", "-o", "json"));
            Cli.Result real = ok(f.cli, "restore", "--org", "acme", "-o", "json");
            JsonNode r = strictJson(real);

            assertThat(f.database("pool-0", name).getCollection("precious").countDocuments()).as("the documents of %s", name).isEqualTo(3);
            assertThat(real.err()).doesNotContain("dropped");
            assertThat(r.get("dropped_databases")).isEmpty();
            assertThat(r.get("database_name").asText()).startsWith("org_acme__r").isNotEqualTo(name)
                    .isEqualTo(plan.get("database_name").asText());
            assertThat(plan.get("dropped_databases")).isEmpty();
            f.assertHolds("acme", backedUp);
        }
    }

    @Test
    void anInPlaceRestoreTriesTheBackupBesideADatabaseWithItsScratchName() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupOfAcme(f);
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            String name = firstFreshName(id);
            precious(f, name);

            JsonNode r = strictJson(ok(f.cli, "restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing", "-o", "json"));

            assertThat(f.database("pool-0", name).getCollection("precious").countDocuments()).as("the documents of %s", name).isEqualTo(3);
            assertThat(r.get("dropped_databases")).extracting(JsonNode::asText).containsExactly("org_acme");
            assertThat(f.databaseNames("pool-0")).filteredOn(n -> n.startsWith("org_acme__r")).as("no trial database left").containsExactly(name);
            f.assertHolds("acme", backedUp);
        }
    }

    private static String backupOfAcme(BackupFixture f) {
        f.provision("acme");
        f.db("acme").getCollection("notes").insertMany(List.of(new Document("_id", 1).append("text", "a"),
                new Document("_id", 2).append("text", "b")));
        return f.backup("acme");
    }

    /** The name a restore of backup {@code id} into acme takes first: org_acme__r plus the backup id without its 'T' and '-'. */
    private static String firstFreshName(String id) {
        return "org_acme__r" + id.substring(0, 8) + id.substring(9, 15) + id.substring(17);
    }

    /** A database tenantctl did not make, made by hand on pool-0: a collection 'precious' of 3 documents. */
    private static void precious(BackupFixture f, String name) {
        f.database("pool-0", name).getCollection("precious").insertMany(List.of(new Document("_id", 1), new Document("_id", 2),
                new Document("_id", 3)));
    }
}
