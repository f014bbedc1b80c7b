package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * While a backup of the deleting org acme was at work (its lease held), {@code orgs purge --dry-run} said acme's
 * database would be dropped (would_drop, exit 0), while the real purge skips the org another operation holds (skipped,
 * naming the holder, exit 1) and drops it on a later run. The dry run looks at the lease, taking nothing, and says the
 * same, as {@code backups prune --dry-run} keeps a busy org's backups "this time". So for a database an earlier purge
 * handed over but could not drop, whose org another operation holds: the dry run said would_drop, the purge skips it.
 */
class PurgeDryRunOfAnOrgAnotherOperationHoldsTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunSkipsTheHeldOrgAsThePurgeDoes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            ok(f.cli, "orgs", "delete", "acme", "--no-backup");
            f.heldBy("acme", "backup");
            dryRunEndsAsThePurgeDoes(f, "backup");
        }
    }

    @Test
    void theDryRunSkipsAHandedOverDatabaseWhoseOrgIsHeldAsThePurgeDoes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.handedOverByAPurgeThatDidNotDrop("acme");
            f.heldBy("acme", "restore");
            dryRunEndsAsThePurgeDoes(f, "restore");
        }
    }

    /** The purge's dry run, then the purge, of acme's database while {@code operation} holds acme: both skip it alike. */
    private static void dryRunEndsAsThePurgeDoes(BackupFixture f, String operation) throws Exception {
        List<String> catalogBefore = f.catalogRows();
        var dataBefore = BackupFixture.contents(f.database("pool-0", "org_acme"));

        Cli.Result dry = f.cli.run("orgs", "purge", "--older-than", "0", "--dry-run", "-o", "json");
        assertThat(f.catalogRows()).as("the dry run writes nothing to the catalog: %s", dry).isEqualTo(catalogBefore);
        assertThat(BackupFixture.contents(f.database("pool-0", "org_acme"))).as("nor to the org's database").isEqualTo(dataBefore);

        Cli.Result real = f.cli.run("orgs", "purge", "--older-than", "0", "-o", "json");
        JsonNode purged = strictJson(real).get("orgs").get(0);
        assertThat(real.exitCode()).as(real.toString()).isEqualTo(1);
        assertThat(purged.get("action").asText()).as(real.toString()).isEqualTo("skipped");
        assertThat(f.databaseNames("pool-0")).contains("org_acme");

        JsonNode planned = strictJson(dry).get("orgs").get(0);
        assertThat(dry.exitCode()).as("the dry run ends as the purge did: %s", dry).isEqualTo(real.exitCode());
        assertThat(planned.get("action").asText()).as(dry.toString()).isEqualTo(purged.get("action").asText());
        assertThat(planned.get("detail").asText()).as(dry.toString()).contains("org acme is busy: " + operation + " by");
    }
}
