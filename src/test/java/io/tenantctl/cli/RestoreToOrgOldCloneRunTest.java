package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of 057889e: {@code restore --to-org} takes up an existing {@code restoring} org when
 * {@code RestoreRepository.restoredAsNewOrg(toOrg, fromOrg)} finds <em>any</em> --to-org restore run of that pair, ever,
 * whatever its outcome and however long ago. An org that was cloned from another months ago (a succeeded
 * {@code restore --org globex --to-org acme}) and later left {@code restoring} by a failed in-place restore of its own
 * is exactly the org the fix meant to protect: the old command, re-run from shell history, drops what acme has and makes
 * it active with globex's newest documents. The check must be that the restore which left the org restoring is an
 * unfinished --to-org restore of that source (the newest restore run naming the org), not that one once existed.
 */
class RestoreToOrgOldCloneRunTest {

    @TempDir
    Path dir;

    @Test
    void aSucceededCloneLongAgoDoesNotLetToOrgTakeUpTheOrgLeftRestoringByItsOwnInPlaceRestore() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("globex");
            f.db("globex").getCollection("secrets").insertOne(new Document("_id", 1).append("owner", "globex"));
            f.backup("globex");
            // months ago: acme was made as a clone of globex, and has lived its own life since
            CliFixture.ok(f.cli, "restore", "--org", "globex", "--to-org", "acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            List<Document> a = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                a.add(new Document("_id", i).append("owner", "acme"));
            }
            f.db("acme").getCollection("a_notes").insertMany(a);
            f.db("acme").getCollection("b_notes").insertOne(new Document("_id", 1).append("owner", "acme"));
            String acmeBackup = f.backup("acme");
            f.db("globex").getCollection("secrets").insertOne(new Document("_id", 2).append("owner", "globex").append("card", "4111"));
            f.backup("globex");

            // an in-place restore of acme fails after the drop: acme stays restoring ("re-run the restore")
            Cli failing = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                    "USER", "test")).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                        if (db.equals(f.org("acme").get("database_name").asText()) && HookedPools.is(cmd, "create")
                                && "b_notes".equals(cmd.getString("create"))) {
                            throw HookedPools.commandError(13, "not authorized");
                        }
                    }));
            Cli.Result inPlace = failing.run("restore", "--org", "acme", "--backup", acmeBackup, "--in-place", "--drop-existing");
            assertThat(inPlace.exitCode()).as(inPlace.toString()).isEqualTo(1);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");

            // the clone command, re-run from shell history
            Cli.Result r = f.cli.run("restore", "--org", "globex", "--to-org", "acme");

            JsonNode acme = f.org("acme");
            List<Document> leaked = f.db("acme").getCollection("secrets").find(new Document("_id", 2)).into(new ArrayList<>());
            assertThat(leaked).as("acme (%s) must not be given globex's newest documents; the restore said: %s",
                    acme.get("status").asText(), r).isEmpty();
            assertThat(r.exitCode()).as("--to-org of an org an in-place restore left restoring is refused: %s", r).isEqualTo(2);
        }
    }
}
