package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
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

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** Ctrl-C during a restore: it stops between batches and leaves everything as it was; after an --in-place drop it finishes. */
class RestoreInterruptTest {

    @TempDir
    Path dir;

    @Test
    void aFreshRestoreStopsRollsBackAndCanBeRunAgain() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupOfTwoCollections(f);
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            CancelToken cancel = interruptWhenCreating(f, "b_notes");

            Cli.Result r = f.cli.run(cancel, "restore", "--org", "acme", "--backup", id);

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            assertThat(r.err()).contains("restore of backup " + id + " stopped: interrupted after 1500 documents")
                    .contains("the partial database org_acme__r").contains("was removed")
                    .contains("org acme still points at its database, status active");
            JsonNode org = f.org("acme");
            assertThat(org.get("database_name").asText()).isEqualTo("org_acme");
            assertThat(org.get("status").asText()).isEqualTo("active");
            assertThat(f.databaseNames("pool-0")).noneMatch(n -> n.startsWith("org_acme__r"));
            JsonNode last = strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(last.get("verb").asText()).isEqualTo("restore");
            assertThat(last.get("status").asText()).isEqualTo("interrupted");
            f.assertHolds("acme", backedUp);

            // restore has no --resume: it said picocli's "Missing required option '--org=ORG'"; now one line, exit 2, naming
            // the runs show that names the restore to run again, which is run below as it names it
            String runId = last.get("run_id").asText();
            for (String[] line : List.of(new String[] {"restore", "--resume", runId}, new String[] {"restore", "--org", "acme", "--resume=" + runId})) {
                Cli.Result resumed = f.cli.run(line);
                assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(2);
                assertThat(resumed.err()).as(resumed.toString()).isEqualTo("error: restore has no --resume (a stopped restore is run again, "
                        + "not resumed): 'tenantctl runs show " + runId + "' names the restore that goes on with that run, if one still does\n");
            }
            JsonNode error = strictJson(f.cli.run("restore", "--resume", runId, "-o", "json")).get("error");
            assertThat(error.get("code").asInt()).as(error.toString()).isEqualTo(2);
            assertThat(error.get("message").asText()).startsWith("restore has no --resume").contains("'tenantctl runs show " + runId + "'");
            String next = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run").get("next_step").asText();
            assertThat(next).startsWith("tenantctl restore --org acme --backup " + id);

            List<String> rerun = new ArrayList<>(List.of(OnCallNextStepsTest.command(next)));
            rerun.addAll(List.of("-o", "json"));
            JsonNode again = strictJson(ok(f.cli, rerun.toArray(String[]::new)));
            assertThat(f.db("acme").getCollection("a_notes").countDocuments()).isEqualTo(1500);
            assertThat(f.db("acme").getCollection("b_notes").countDocuments()).isEqualTo(10);
            assertThat(again.get("database_name").asText()).startsWith("org_acme__r");
            f.assertHolds("acme", backedUp);
        }
    }

    @Test
    void anInPlaceRestoreFinishesOnceTheOldDatabaseIsGone() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupOfTwoCollections(f);
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            f.db("acme").getCollection("a_notes").insertOne(new Document("_id", "written after the backup"));
            CancelToken cancel = interruptWhenCreating(f, "b_notes", "org_acme"); // not in the scratch database it is tried in first

            Cli.Result r = f.cli.run(cancel, "restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing");

            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.err()).contains("the interrupt came after the org's database was dropped, so the restore was finished");
            assertThat(f.db("acme").getCollection("a_notes").countDocuments()).isEqualTo(1500);
            assertThat(f.db("acme").getCollection("b_notes").countDocuments()).isEqualTo(10);
            f.assertHolds("acme", backedUp);
        }
    }

    @Test
    void anInPlaceRestoreInterruptedBeforeTheDropDropsNothing() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupOfTwoCollections(f);
            f.db("acme").getCollection("a_notes").insertOne(new Document("_id", "written after the backup"));
            Map<String, List<RawBsonDocument>> current = BackupFixture.contents(f.db("acme"));
            CancelToken cancel = new CancelToken();
            cancel.cancel("SIGINT"); // as if Ctrl-C came while the backup was being verified

            Cli.Result r = f.cli.run(cancel, "restore", "--org", "acme", "--backup", id, "--in-place", "--drop-existing");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            assertThat(r.err()).contains("interrupted before the org's database was dropped");
            assertThat(f.db("acme").getCollection("a_notes").countDocuments()).as("nothing dropped").isEqualTo(1501);
            f.assertHolds("acme", current);
        }
    }

    /** acme with 1,500 documents in a_notes (two insert batches) and 10 in b_notes, backed up. */
    static String backupOfTwoCollections(BackupFixture f) {
        f.provision("acme");
        f.notes("acme", "a_notes", 1500);
        List<Document> b = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            b.add(new Document("_id", i));
        }
        f.db("acme").getCollection("b_notes").insertMany(b);
        return f.backup("acme");
    }

    /** A token cancelled (as Ctrl-C would) when the restore creates {@code collection}. */
    private static CancelToken interruptWhenCreating(BackupFixture f, String collection) {
        return interruptWhenCreating(f, collection, null);
    }

    /** As {@link #interruptWhenCreating(BackupFixture, String)}, in {@code database} only (any when null). */
    private static CancelToken interruptWhenCreating(BackupFixture f, String collection, String database) {
        CancelToken cancel = new CancelToken();
        f.cli.decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
            if (HookedPools.is(cmd, "create") && collection.equals(cmd.getString("create")) && (database == null || database.equals(db))) {
                cancel.cancel("SIGINT");
            }
        }));
        return cancel;
    }
}
