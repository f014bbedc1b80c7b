package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.Pause;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: a restore whose org lease expired while its process was still alive (Ctrl-Z for a minute, a catalog outage
 * longer than the 60 s lease, a long GC/VM pause) is rolled back by the next command, which may be a second restore of the
 * same backup. The second restore picks the very same fresh database name, fills it and flips the org to it. When the
 * first process wakes up, its next insert fails (duplicate keys) and its clean-up drops "its" partial database — which is
 * now the org's live database. Restore's clean-up never checks whether an org points at the database it drops
 * (DatabaseGc and Mover.rollBack both do).
 */
class RestoreOutlivedItsLeaseTest {

    @TempDir
    Path dir;

    @Test
    void aRestoreThatWakesUpAfterItsLeaseExpiredMustNotDropTheOrgsLiveDatabase() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String backupId = RestoreInterruptTest.backupOfTwoCollections(f); // acme: 1,500 in a_notes, 10 in b_notes
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));

            // restore #1 stalls (as if its process were stopped) when it is about to create b_notes in its fresh database
            Pause stalled = Pause.at(1);
            Cli first = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                    "USER", "first")).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                        if (db.startsWith("org_acme__r") && HookedPools.is(cmd, "create") && "b_notes".equals(cmd.getString("create"))) {
                            stalled.call();
                        }
                    }));
            CompletableFuture<Cli.Result> r1 = first.start("restore", "--org", "acme", "--backup", backupId);
            stalled.awaitPaused("restore #1 reached b_notes");

            // a minute passes without its heartbeat reaching the catalog: its lease expires
            assertThat(f.expireLeases()).isEqualTo(1);
            // the on-call engineer runs the restore again: it rolls #1 back and completes
            JsonNode second = strictJson(ok(f.cli, "restore", "--org", "acme", "--backup", backupId, "-o", "json"));
            String live = second.get("database_name").asText();
            f.assertHolds("acme", backedUp);
            // the org is live again: the application writes to it
            f.db("acme").getCollection("a_notes").insertOne(new Document("_id", "written after the second restore"));
            Map<String, List<RawBsonDocument>> afterWrite = BackupFixture.contents(f.db("acme"));

            // restore #1 wakes up
            stalled.wake();
            Cli.Result r = r1.get(120, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.toString()).isNotZero();

            JsonNode org = f.org("acme");
            assertThat(org.get("database_name").asText()).isEqualTo(live);
            assertThat(f.databaseNames("pool-0")).as("the org's live database %s must still exist (restore #1 said: %s)", live, r.err())
                    .contains(live);
            f.assertHolds("acme", afterWrite);
        }
    }
}
