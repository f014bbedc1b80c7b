package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README (orgs adopt): "a database a restore or move is writing right now [is] refused ... --discover does not offer
 * them". An in-place restore first loads the backup into a scratch database (org_ID__r...) on the org's pool and drops
 * it again; while it loads, that database is one a restore is writing. Adopted then, the new org is active in a database
 * the restore drops a moment later: a live org's database gone.
 */
class AdoptOfAnInPlaceRestoresScratchDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void theScratchDatabaseOfAnInPlaceRestoreIsNeitherDiscoveredNorAdopted() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            String backupId = f.backup("acme");

            // held at the second collection it creates in its scratch database (the first exists: the database is listed)
            BackupFixture.HeldAtCreate held = f.holdCreate(db -> db.startsWith("org_acme__r"), 2);
            CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme", "--backup", backupId, "--in-place",
                    "--drop-existing");
            assertThat(held.awaitReached()).as("the restore is loading its scratch database").isTrue();
            String scratch = f.databaseNames("pool-0").stream().filter(n -> n.startsWith("org_acme__r")).findFirst()
                    .orElseThrow(() -> new AssertionError("no scratch database on pool-0: " + f.databaseNames("pool-0")));

            Cli.Result discovered = ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-0");
            Cli.Result adopt = f.cli.run("orgs", "adopt", "newco", "--pool", "pool-0", "--database", scratch, "-o", "json");
            held.release();
            Cli.Result restored = restore.get(60, TimeUnit.SECONDS);

            assertThat(restored.exitCode()).as(restored.toString()).isZero();
            f.assertHolds("acme", backedUp);
            boolean adoptedIntoNothing = strictJson(ok(f.cli, "orgs", "list", "-o", "json")).get("orgs").toString().contains("newco")
                    && !f.databaseNames("pool-0").contains(scratch);
            assertThat(adopt.exitCode()).as("adopt of %s, which the restore was writing (newco now active in a dropped database: %s): %s",
                    scratch, adoptedIntoNothing, adopt).isNotZero();
            assertThat(discovered.out()).as("--discover offers a database a restore is writing").doesNotContain(scratch);
            JsonNode orgs = strictJson(ok(f.cli, "orgs", "list", "-o", "json")).get("orgs");
            assertThat(orgs.toString()).as("no org points at a database the restore dropped").doesNotContain("newco");
        }
    }
}
