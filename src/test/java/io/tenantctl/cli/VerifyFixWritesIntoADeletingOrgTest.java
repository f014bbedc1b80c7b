package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming today's purge fingerprint (catalog v11 {@code orgs.deleted_fingerprint}): {@code verify --fix}
 * still checks and "fixes" deleting orgs, creating the collections their manifest lists in a database that is only
 * waiting to be purged. That changes the database after its delete recorded what it held, so {@code orgs purge} then
 * keeps it (exit 1) claiming it was "written since its delete … those writes are in no backup" — tenantctl's own
 * write, no customer data — and the nightly purge fails every night until someone passes {@code --drop-changed} for an
 * org nobody wrote to. A deleting org's database is frozen history: verify may report on it, never write into it.
 */
class VerifyFixWritesIntoADeletingOrgTest {

    @TempDir
    Path dir;

    @Test
    void verifyFixLeavesADeletingOrgsDatabaseAsItsDeleteRecordedIt() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            // drift made behind tenantctl's back before the customer left: the app dropped a collection it no longer used
            f.db("acme").getCollection("messages").drop();
            JsonNode deleted = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json"));
            assertThat(deleted.get("status").asText()).isEqualTo("deleting");

            // the nightly verify --fix runs over the fleet, deleting orgs included
            f.cli.run("verify", "--fix", "-o", "json");
            assertThat(f.database("pool-0", "org_acme").listCollectionNames().into(new ArrayList<>()))
                    .as("verify --fix must not create collections in a deleting org's database (it is waiting to be purged)")
                    .doesNotContain("messages");

            // and so the purge that is due goes through: nobody wrote to acme since its delete
            Cli.Result purged = f.cli.run("orgs", "purge", "--older-than", "0", "-o", "json");
            JsonNode item = strictJson(purged).get("orgs").get(0);
            assertThat(purged.exitCode()).as(purged.toString()).isEqualTo(0);
            assertThat(item.get("action").asText()).as(item.toString()).isEqualTo("dropped");
        }
    }
}
