package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
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
 * {@code orgs delete} (its dry run's look at the database, its fingerprints of the frozen database before and after the
 * final backup) and {@code orgs purge} (its read of a deleting org's database, held to what the delete recorded) read
 * the org's database once: one dropped connection failed the delete, or kept the database ("could not be compared …
 * run it again"), where the rest of tenantctl asks again. Each listing now is asked again after a dropped connection.
 */
class DeleteAndPurgePastADroppedConnectionTest {

    @TempDir
    Path dir;

    /**
     * A CLI on which every {@code every}-th call (from the first) of org_acme's listCollectionNames, and the pool's first
     * listDatabases, lose their connection; {@code drops} counts them.
     */
    private static Cli dropping(BackupFixture f, int every, AtomicInteger drops) {
        AtomicInteger listings = new AtomicInteger();
        AtomicInteger listedDatabases = new AtomicInteger();
        return f.newCli().decoratePools(real -> HookedPools.onCommand(
                HookedPools.onDatabase(real, (name, db) -> !name.equals("org_acme") ? db
                        : HookedPools.beforeEach(db, "listCollectionNames", () -> drop(listings.getAndIncrement() % every == 0, drops))),
                (db, cmd) -> drop(HookedPools.is(cmd, "listDatabases") && listedDatabases.getAndIncrement() == 0, drops)));
    }

    private static void drop(boolean now, AtomicInteger drops) {
        if (now) {
            drops.incrementAndGet();
            throw new MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
        }
    }

    @Test
    void aDeleteDryRunGoesOnAfterADroppedConnection() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);

            AtomicInteger drops = new AtomicInteger();
            Cli.Result dry = dropping(f, 2, drops).run("orgs", "delete", "acme", "--dry-run", "-o", "json");
            assertThat(drops.get()).as("the dry run's listings of the pool and the database lost their connection: %s", dry).isPositive();
            assertThat(dry.exitCode()).as(dry.toString()).isZero();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    @Test
    void aDeleteGoesOnAfterADroppedConnection() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);

            AtomicInteger drops = new AtomicInteger();
            Cli.Result r = dropping(f, 2, drops).run("orgs", "delete", "acme", "-o", "json");
            assertThat(drops.get()).as("the delete's listings lost their connection: %s", r).isPositive();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(strictJson(r).get("status").asText()).isEqualTo("deleting");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
            assertThat(f.database("pool-0", "org_acme").getCollection("notes").countDocuments()).isEqualTo(5);
        }
    }

    @Test
    void aPurgeDropsTheDatabaseAfterADroppedConnectionAndKeepsItWhenThePoolNeverAnswers() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            ok(f.cli, "orgs", "delete", "acme");

            Cli.Result kept = dropping(f, 1, new AtomicInteger()).run("orgs", "purge", "--older-than", "0", "-o", "json");
            assertThat(kept.exitCode()).as(kept.toString()).isEqualTo(1);
            JsonNode item = strictJson(kept).get("orgs").get(0);
            assertThat(item.get("action").asText()).as(kept.toString()).isEqualTo("kept");
            assertThat(item.get("detail").asText()).contains("could not be compared with what it held at its delete")
                    .contains("Prematurely reached end of stream").contains("run it again");
            assertThat(f.databaseNames("pool-0")).contains("org_acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");

            AtomicInteger drops = new AtomicInteger();
            Cli.Result r = dropping(f, 2, drops).run("orgs", "purge", "--older-than", "0", "-o", "json");
            assertThat(drops.get()).as("the purge's read lost its connection: %s", r).isPositive();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(strictJson(r).get("orgs").get(0).get("action").asText()).as(r.toString()).isEqualTo("dropped");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleted");
        }
    }
}
