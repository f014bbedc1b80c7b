package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** Default restore keeps the database it replaces; only --in-place --drop-existing drops data; re-runs are safe. */
class RestoreModesTest {

    @TempDir
    Path dir;

    @Test
    void defaultRestoreWritesAFreshDatabaseAndKeepsTheReplacedOne() {
        try (BackupFixture f = acmeBackedUp("before backup")) {
            f.db("acme").getCollection("notes", BsonDocument.class).insertOne(doc(2, "after backup"));

            JsonNode r = strictJson(ok(f.cli, "restore", "--org", "acme", "--backup", id, "-o", "json"));

            JsonNode org = f.org("acme");
            assertThat(org.get("database_name").asText()).startsWith("org_acme__r").isEqualTo(r.get("database_name").asText());
            f.assertHolds("acme", backedUp);
            assertThat(r.get("retired_database").asText()).isEqualTo("org_acme");
            assertThat(f.databaseNames("pool-0")).as("the replaced database is kept").contains("org_acme");
            assertThat(f.database("pool-0", "org_acme").getCollection("notes").countDocuments()).isEqualTo(2);
            try (Catalog catalog = Catalog.open(f.catalogUrl)) {
                assertThat(catalog.restores().retired("acme")).singleElement().satisfies(x -> {
                    assertThat(x.databaseName()).isEqualTo("org_acme");
                    assertThat(x.poolId()).isEqualTo("pool-0");
                    assertThat(x.reason()).contains(id);
                });
            }

            // restoring the same backup again never overwrites the current or the retired database
            JsonNode again = strictJson(ok(f.cli, "restore", "--org", "acme", "--backup", id, "-o", "json"));
            assertThat(again.get("database_name").asText()).isNotIn("org_acme", r.get("database_name").asText());
            assertThat(f.databaseNames("pool-0")).contains("org_acme", r.get("database_name").asText(), again.get("database_name").asText());
            JsonNode run = strictJson(ok(f.cli, "runs", "show", again.get("run_id").asText(), "-o", "json"));
            assertThat(run.get("run").get("verb").asText()).isEqualTo("restore");
            assertThat(run.get("run").get("status").asText()).isEqualTo("succeeded");
            f.assertHolds("acme", backedUp);
        }
    }

    @Test
    void inPlaceNeedsDropExistingAndThenReplacesTheData() {
        try (BackupFixture f = acmeBackedUp("before backup")) {
            f.db("acme").getCollection("notes", BsonDocument.class).insertOne(doc(2, "after backup"));

            Cli.Result refused = f.cli.run("restore", "--org", "acme", "--in-place");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
            assertThat(refused.err()).contains("--drop-existing");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(2);

            Cli.Result r = ok(f.cli, "restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing");
            assertThat(r.err()).contains("WARNING: DROPPED database org_acme");
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo("org_acme");
            assertThat(f.databaseNames("pool-0")).noneMatch(n -> n.contains("__r"));
            f.assertHolds("acme", backedUp);
        }
    }

    /**
     * Found at 3 a.m.: 'restore --in-place --drop-existing --dry-run' said the backup's document count and "this would DROP
     * database org_acme", not what org_acme holds now, so a backup from yesterday under a day of writes read as harmless.
     * The dry run (text and -o json) says both counts and, when the database holds more, that those written since are lost;
     * the real run's drop notice says what it held.
     */
    @Test
    void anInPlaceDryRunSaysWhatTheDatabaseItDropsHoldsNowAndWhatIsLost() {
        try (BackupFixture f = acmeBackedUp("before backup")) {
            f.db("acme").getCollection("notes", BsonDocument.class).insertMany(List.of(doc(2, "since"), doc(3, "since")));
            String[] dryRun = {"restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing", "--dry-run"};

            Cli.Result text = ok(f.cli, dryRun);
            assertThat(text.out()).contains("3 in org_acme (2 more than the backup: lost by the drop)");
            assertThat(text.err()).contains("WARNING: this would DROP database org_acme on pool pool-0, which holds 3 documents now (backup "
                    + id + " holds 1)").contains("database org_acme holds 2 more documents than backup " + id + " (3 against 1): "
                    + "documents written since the backup would be lost; back the org up first ('tenantctl backup --org acme')");
            JsonNode json = strictJson(ok(f.cli, java.util.stream.Stream.concat(java.util.Arrays.stream(dryRun), java.util.stream.Stream.of(
                    "-o", "json")).toArray(String[]::new)));
            assertThat(json.get("existing_docs").asLong()).isEqualTo(3);
            assertThat(json.get("docs").asLong()).isEqualTo(1);
            assertThat(json.get("loss_warning").asText()).contains("2 more documents than backup " + id);
            assertThat(f.db("acme").getCollection("notes").countDocuments()).as("a dry run").isEqualTo(3);

            Cli.Result r = ok(f.cli, "restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing", "-o", "json");
            assertThat(r.err()).contains("WARNING: DROPPED database org_acme on pool pool-0 (--in-place --drop-existing; it held 3 documents, "
                    + "backup " + id + " holds 1)").contains("2 more documents than backup " + id);
            assertThat(strictJson(r).get("existing_docs").asLong()).isEqualTo(3);
            f.assertHolds("acme", backedUp);

            // holding what the backup holds: both counts, no loss said
            Cli.Result same = ok(f.cli, dryRun);
            assertThat(same.err()).contains("which holds 1 document now").doesNotContain("more document");
            assertThat(same.out()).contains("1 in org_acme").doesNotContain("more than the backup");
        }
    }

    /**
     * Found at 3 a.m.: restore counted one document as many ("restored 1 documents", "it held 1 documents", "holds 1 more
     * documents than backup"); a count of one is said in the singular, in the drop notice, the loss and the last line.
     */
    @Test
    void aCountOfOneIsSaidInTheSingular() {
        try (BackupFixture f = acmeBackedUp("before backup")) {
            f.db("acme").getCollection("notes", BsonDocument.class).insertOne(doc(2, "since"));

            Cli.Result dry = ok(f.cli, "restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing", "--dry-run");
            assertThat(dry.err()).contains("which holds 2 documents now").contains("database org_acme holds 1 more document than backup "
                    + id + " (2 against 1)");
            Cli.Result r = ok(f.cli, "restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing");
            assertThat(r.err()).contains("(--in-place --drop-existing; it held 2 documents, backup " + id + " holds 1)")
                    .contains("held 1 more document than backup " + id);
            assertThat(r.out()).contains("restored 1 document in ").doesNotContain("documents in ");
            f.assertHolds("acme", backedUp);
            Cli.Result again = ok(f.cli, "restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing", "-q");
            assertThat(again.err()).contains("(--in-place --drop-existing; it held 1 document, backup " + id + " holds 1)");
        }
    }

    @Test
    void anInterruptedRestoreCanBeReRun() {
        try (BackupFixture f = acmeBackedUp("x")) {
            JsonNode plan = strictJson(ok(f.cli, "restore", "--org", "acme", "--backup", id, "--dry-run", "-o", "json"));
            String target = plan.get("database_name").asText();
            // what a restore that failed on a pool going away leaves: a partial fresh database it could not remove
            Cli failing = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals(target) ? db
                    : HookedPools.failing(HookedPools.beforeEach(db, "runCommand", args -> {
                        if (args[0] instanceof BsonDocument c && c.getFirstKey().equals("createIndexes")) {
                            throw HookedPools.commandError(6, "connection lost");
                        }
                    }), "drop", 6, "connection lost")));
            Cli.Result died = failing.run("restore", "--org", "acme", "--backup", id);
            assertThat(died.exitCode()).as(died.toString()).isEqualTo(1);
            // which pool it is left on, and what removes it (it used to say neither)
            assertThat(died.err()).contains("the partial database " + target + " on pool pool-0 could not be removed")
                    .contains("the same restore run again drops it first").contains("'tenantctl verify' names it (stray_copy)");
            assertThat(f.databaseNames("pool-0")).as("the partial database").contains(target);
            Cli.Result verify = f.cli.run("verify");
            assertThat(verify.out()).as("%s", verify).contains("stray_copy").contains(target);

            JsonNode again = strictJson(ok(f.cli, "restore", "--org", "acme", "--backup", id, "--dry-run", "-o", "json"));
            assertThat(again.get("database_name").asText()).isEqualTo(target);
            assertThat(again.get("dropped_databases")).extracting(JsonNode::asText).containsExactly(target);
            JsonNode r = strictJson(ok(f.cli, "restore", "--org", "acme", "--backup", id, "-o", "json"));

            assertThat(r.get("database_name").asText()).isEqualTo(target);
            assertThat(r.get("dropped_databases")).extracting(JsonNode::asText).containsExactly(target);
            f.assertHolds("acme", backedUp);
        }
    }

    /** The backup {@link #acmeBackedUp} took, and what acme held then. */
    private String id;
    private Map<String, List<RawBsonDocument>> backedUp;

    /** One pool, acme provisioned with one note named {@code name} and backed up: {@link #id}, {@link #backedUp}. */
    private BackupFixture acmeBackedUp(String name) {
        BackupFixture f = new BackupFixture(1, dir);
        try {
            f.provision("acme");
            f.db("acme").getCollection("notes", BsonDocument.class).insertOne(doc(1, name));
            id = f.backup("acme");
            backedUp = BackupFixture.contents(f.db("acme"));
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    private static BsonDocument doc(int id, String name) {
        return new BsonDocument("_id", new BsonInt32(id)).append("name", new BsonString(name));
    }
}
