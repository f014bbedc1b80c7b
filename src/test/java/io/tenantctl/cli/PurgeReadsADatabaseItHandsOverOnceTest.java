package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code orgs purge} compares a deleting org's database with what its delete recorded (and looks for its final backup in
 * the store) before it hands the org over; the databases handed over are then dropped with those an earlier purge left,
 * and each of those was compared (and its backup looked for) again: every database this purge handed over was read
 * twice on its pool, moments apart, by the same run. Only what an earlier purge left is asked again.
 */
class PurgeReadsADatabaseItHandsOverOnceTest {

    @TempDir
    Path dir;

    @Test
    void aDatabaseHandedOverByThisPurgeIsReadOnceBeforeItIsDropped() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            ok(f.cli, "orgs", "delete", "acme");

            AtomicInteger listings = new AtomicInteger(); // each read of the database lists its collections first
            Cli counting = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme") ? db
                    : HookedPools.beforeEach(db, "listCollectionNames", listings::incrementAndGet)));
            Cli.Result r = counting.run("orgs", "purge", "--older-than", "0", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode item = strictJson(r).get("orgs").get(0);
            assertThat(item.get("action").asText()).as(r.toString()).isEqualTo("dropped");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleted");
            assertThat(listings.get()).as("org_acme's collections listed by the purge that handed it over and dropped it").isEqualTo(1);
        }
    }
}
