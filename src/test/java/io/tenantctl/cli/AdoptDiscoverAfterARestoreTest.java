package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: after a restore (default mode: a fresh database, the org's old one kept and recorded in
 * retired_databases), {@code orgs adopt --discover} lists the replaced database {@code org_acme} as a database "with no
 * org" and suggests the id {@code acme} for it — an id the catalog already has (the check compares the suggested id's
 * database name with the orgs' current database names, and acme's is now {@code org_acme__r…}). Its own next step,
 * "save the lines above to a file and run 'tenantctl orgs adopt --pool pool-0 --file FILE --dry-run'", then fails
 * (exit 1, "org acme is already in the catalog"), and an operator who renames the id to get past it registers a
 * restore's discarded copy as a live, writable org. A database the catalog records as retired has a catalog row: it
 * is not a candidate for adoption, and no line may suggest an id that is taken.
 */
class AdoptDiscoverAfterARestoreTest {

    @TempDir
    Path dir;

    @Test
    void discoverNeverOffersARestoresReplacedDatabaseUnderAnIdThatIsTaken() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.backup("acme");
            ok(f.cli, "restore", "--org", "acme");
            assertThat(f.org("acme").get("database_name").asText()).as("restored into a fresh database").isNotEqualTo("org_acme");
            assertThat(f.databaseNames("pool-0")).as("the replaced database is kept").contains("org_acme");

            Cli.Result discover = ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-0");

            assertThat(discover.out().lines().filter(l -> !l.startsWith("#")).map(l -> l.split("\\s+")[0]))
                    .as("ids suggested by discover: none taken (%s)", discover).doesNotContain("acme");
            if (discover.out().lines().anyMatch(l -> !l.isBlank() && !l.startsWith("#"))) {
                Path file = dir.resolve("adopt.txt");
                Files.writeString(file, discover.out());
                Cli.Result followed = f.cli.run("orgs", "adopt", "--pool", "pool-0", "--file", file.toString(), "--dry-run");
                assertThat(followed.exitCode()).as("discover's next step, followed literally: %s", followed).isZero();
            }
        }
    }
    /**
     * Found by the on-call audit: with any other pool registered that does not answer (a dead server, a drained one not yet
     * removed), 'orgs adopt --discover --pool pool-0' — the way a restore's refusal names to find an org's database — failed
     * 'unexpected StepFailure: listDatabases: …' (exit 1, "run with -v"). A pool that does not answer is passed over, as
     * its comparison with the other pools meant (verify names that pool).
     */
    @Test
    void discoverWithAnotherPoolThatDoesNotAnswerStillListsThisOne() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.database("pool-0", "legacy_app").getCollection("notes").insertOne(new org.bson.Document("_id", 1));
            CliFixture.addPool(f.cli, "pool-9", "mongodb://127.0.0.1:9", 10, 9);

            Cli.Result discover = ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-0");
            assertThat(discover.out()).as("%s", discover).contains("legacy_app");
            assertThat(discover.err()).doesNotContain("unexpected");
        }
    }
}
