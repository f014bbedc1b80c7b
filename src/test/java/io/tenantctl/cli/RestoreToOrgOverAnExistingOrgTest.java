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
 * Found by red-teaming: {@code restore --to-org NEW} is documented to create a new org and to refuse an org that exists. It accepts an
 * existing org whose status is {@code restoring} (meant for re-running an interrupted --to-org restore), without checking
 * that the org was created by a --to-org restore of the same source. After the one recovery path that leaves an org
 * restoring for good — an in-place restore that failed after it dropped the org's database ("re-run the restore") —
 * {@code restore --org globex --to-org acme} drops what acme has, fills acme's database with globex's documents, and
 * reports success: tenant acme is active and serves another tenant's data. Had that restore failed, its clean-up would
 * also have deleted acme's catalog row ({@code deleteUnfinishedOrg}).
 */
class RestoreToOrgOverAnExistingOrgTest {

    @TempDir
    Path dir;

    @Test
    void toOrgRefusesAnExistingOrgLeftRestoringByAFailedInPlaceRestore() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            List<Document> a = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                a.add(new Document("_id", i).append("owner", "acme"));
            }
            f.db("acme").getCollection("a_notes").insertMany(a);
            f.db("acme").getCollection("b_notes").insertOne(new Document("_id", 1).append("owner", "acme"));
            String acmeBackup = f.backup("acme");
            f.db("globex").getCollection("secrets").insertOne(new Document("_id", 1).append("owner", "globex").append("card", "4111"));
            f.backup("globex");

            leftRestoringByItsOwnInPlaceRestore(f, acmeBackup);

            // a mistyped command (or one copied from a runbook): globex's backup "to a new org" named acme
            Cli.Result r = f.cli.run("restore", "--org", "globex", "--to-org", "acme");

            JsonNode acme = f.org("acme");
            List<Document> acmeDocs = f.db("acme").getCollection("secrets").find().into(new ArrayList<>());
            assertThat(acmeDocs).as("acme (%s) must never be given globex's documents; the restore said: %s", acme.get("status").asText(), r)
                    .isEmpty();
            assertThat(r.exitCode()).as("--to-org of an existing org is refused: %s", r).isEqualTo(2);
        }
    }

    /** The same after a clone of globex into acme long ago, which succeeded: that old run does not make acme a clone now. */
    @Test
    void aSucceededCloneLongAgoDoesNotLetToOrgTakeUpTheOrgLeftRestoringByItsOwnInPlaceRestore() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("globex");
            f.db("globex").getCollection("secrets").insertOne(new Document("_id", 1).append("owner", "globex"));
            f.backup("globex");
            // months ago: acme was made as a clone of globex, and has lived its own life since
            CliFixture.ok(f.cli, "restore", "--org", "globex", "--to-org", "acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            f.notes("acme", "a_notes", 1500);
            f.db("acme").getCollection("b_notes").insertOne(new Document("_id", 1).append("owner", "acme"));
            String acmeBackup = f.backup("acme");
            f.db("globex").getCollection("secrets").insertOne(new Document("_id", 2).append("owner", "globex").append("card", "4111"));
            f.backup("globex");
            leftRestoringByItsOwnInPlaceRestore(f, acmeBackup);

            Cli.Result r = f.cli.run("restore", "--org", "globex", "--to-org", "acme"); // the clone command, from shell history

            assertThat(f.db("acme").getCollection("secrets").find(new Document("_id", 2)).into(new ArrayList<>()))
                    .as("acme must not be given globex's newest documents; the restore said: %s", r).isEmpty();
            assertThat(r.exitCode()).as("--to-org of an org an in-place restore left restoring is refused: %s", r).isEqualTo(2);
        }
    }

    /**
     * Found by a 3 a.m. audit: {@code restore --org globex --to-org acme} (globex's backup meant for acme) was refused with "to
     * restore into an existing org leave out --to-org" — which, followed, restores globex itself, flipping a live org that
     * was never in trouble onto its backup. The refusal says what leaving it out does and the way that makes a copy.
     */
    @Test
    void toOrgOfAnotherExistingOrgSaysThatLeavingItOutRestoresTheSourceOrg() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.backup("globex");
            String acmeDb = f.org("acme").get("database_name").asText();
            String globexDb = f.org("globex").get("database_name").asText();

            Cli.Result r = f.cli.run("restore", "--org", "globex", "--to-org", "acme");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).doesNotContain("to restore into an existing org")
                    .contains("Leaving out --to-org would restore org globex itself, not acme").contains("--to-org NEW_ID")
                    .contains("tenantctl backups list --org acme");
            assertThat(r.err().strip().lines().count()).as(r.toString()).isEqualTo(1);
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo(acmeDb);
            assertThat(f.org("globex").get("database_name").asText()).isEqualTo(globexDb);
        }
    }

    /** An in-place restore of acme that fails after the drop (the pool refuses one create): acme stays restoring. */
    private static void leftRestoringByItsOwnInPlaceRestore(BackupFixture f, String acmeBackup) {
        String database = f.org("acme").get("database_name").asText();
        Cli failing = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(),
                "USER", "test")).decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                    if (db.equals(database) && HookedPools.is(cmd, "create") && "b_notes".equals(cmd.getString("create"))) {
                        throw HookedPools.commandError(13, "not authorized");
                    }
                }));
        Cli.Result inPlace = failing.run("restore", "--org", "acme", "--backup", acmeBackup, "--in-place", "--drop-existing");
        assertThat(inPlace.exitCode()).as(inPlace.toString()).isEqualTo(1);
        assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");
    }
}
