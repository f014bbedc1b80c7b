package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.Sentinels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An org whose database was dropped by hand: its delete fails at the final backup ("has no collections (it does not
 * exist): nothing to back up"), exit 1, nothing deleted. Its dry run said exit 0, "would get a final backup … its database
 * would be kept", and — since it read the database by listing its collections, which on the stand-in pools makes the
 * database — left an empty org_acme on the pool. It now lists the pool's databases first, as Restore.exists does, makes
 * nothing, writes nothing to the catalog, and fails as the delete does.
 */
class DeleteDryRunOfAnOrgWhoseDatabaseWasDroppedSaysWhatTheDeleteSaysTest {

    @Test
    void theDryRunFailsAsTheDeleteDoesAndMakesNoDatabase(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.db("acme").drop(); // by hand
            String before = Sentinels.dumpCatalog(f.catalogUrl);

            Cli.Result dry = f.cli.run("orgs", "delete", "acme", "--dry-run");
            Cli.Result dryJson = f.cli.run("orgs", "delete", "acme", "--dry-run", "-o", "json");
            assertThat(Sentinels.dumpCatalog(f.catalogUrl)).as("a dry run writes nothing").isEqualTo(before);
            assertThat(f.databaseNames("pool-0")).as("a dry run makes no database by reading it").doesNotContain("org_acme");

            Cli.Result real = f.cli.run("orgs", "delete", "acme");
            assertThat(real.exitCode()).as(real.toString()).isEqualTo(1);
            String why = "database org_acme on pool pool-0 has no collections (it does not exist): nothing to back up; there is no "
                    + "backup of it either";
            assertThat(real.err()).as(real.toString()).contains(why);
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            assertThat(dry.err()).as(dry.toString()).startsWith("error: dry run: the final backup of org acme would fail: " + why)
                    .endsWith("; nothing deleted\n").doesNotContain("active again");
            assertThat(dry.out()).isEmpty();
            assertThat(dryJson.exitCode()).isEqualTo(1);
            assertThat(strictJson(dryJson).get("error").get("message").asText()).isEqualTo(dry.err().strip().substring("error: ".length()));
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }
}
