package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probe: `orgs delete --dry-run` did not read the database the delete reads first (its fingerprint, before the
 * final backup), so on a pool that stopped answering the dry run's refusal was not the delete's. A dry run that says
 * other than the command fails with is a lie at 3 a.m.: it refuses with the delete's own line and exit code, and writes
 * nothing. Found next: both said exit 1 and "run the delete again" for a pool that does not answer, where restore and
 * the other single-org commands say exit 3 naming the pool and its 'pools stats': now so does the delete, "once it
 * answers, run the delete again". Found then: its dry run said that too, pointing the operator at the real, destroying
 * delete from a preview: the dry run's way on is the dry run again.
 */
class DeleteDryRunOfAnOrgOnAKilledPoolSaysWhatTheDeleteSaysTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunRefusesAsTheDeleteDoesAndChangesNothing() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.pools.kill(0);
            Cli cli = f.cli.quickToGiveUpOnDeadPools();
            String before = io.tenantctl.testing.Sentinels.dumpCatalog(f.catalogUrl);

            Cli.Result dry = cli.run("orgs", "delete", "acme", "--dry-run");
            Cli.Result dryJson = cli.run("orgs", "delete", "acme", "--dry-run", "-o", "json");
            assertThat(io.tenantctl.testing.Sentinels.dumpCatalog(f.catalogUrl))
                    .as("a dry run writes nothing").isEqualTo(before);
            Cli.Result real = cli.run("orgs", "delete", "acme");
            Cli.Result realJson = cli.run("orgs", "delete", "acme", "-o", "json");

            // a silent pool is exit 3 naming it, as restore says it, and the delete is run again once it answers
            assertThat(real.exitCode()).as(real.toString()).isEqualTo(3);
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(real.exitCode());
            assertThat(real.err()).as(real.toString()).startsWith("error: final backup of org acme failed: pool pool-0 does not answer: ")
                    .contains("see 'tenantctl pools stats pool-0'").contains("nothing deleted; the org is active again")
                    .contains("; once it answers, run the delete again");
            assertThat(real.err().strip().lines()).as("one line, ending with the way on").hasSize(1)
                    .allMatch(l -> l.endsWith("; once it answers, run the delete again"));
            assertThat(dry.err().strip()).as("a dry run's way on is itself again, never the delete it previews: %s", dry)
                    .endsWith("; once it answers, run the dry run again ('tenantctl orgs delete acme --dry-run')")
                    .doesNotContain("run the delete again");
            assertThat(dry.err()).as("the delete's own refusal, said of a dry run (which froze nothing, so thaws nothing)")
                    .isEqualTo(asADryRun(real.err()));
            assertThat(dryJson.exitCode()).isEqualTo(realJson.exitCode());
            assertThat(strictJson(dryJson).get("error").get("message").asText())
                    .isEqualTo(asADryRun(strictJson(realJson).get("error").get("message").asText()));
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /**
     * Found next: the dry run only listed the database's collections, where the delete reads every document of them first
     * (its fingerprint, before the final backup). A collection its pool answers for but will not serve (here its find
     * refused) let the dry run say it would delete, and the delete then failed: the dry run now reads the database with the
     * delete's own read, and refuses with the delete's line and exit code.
     */
    @Test
    void aCollectionThePoolWillNotServeRefusesTheDryRunAsTheDelete() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            Cli cli = f.newCli().decoratePools(real -> HookedPools.aroundCollectionCall(real, "org_acme"::equals, "find",
                    (collection, args, find) -> {
                        if (collection.equals("notes")) {
                            throw HookedPools.commandError(13, "not authorized on org_acme to execute command { find: \"notes\" } (test)");
                        }
                        return find.get();
                    }));

            Cli.Result dry = cli.run("orgs", "delete", "acme", "--dry-run");
            Cli.Result real = cli.run("orgs", "delete", "acme");

            assertThat(real.exitCode()).as(real.toString()).isEqualTo(1);
            assertThat(real.err()).as(real.toString()).startsWith("error: final backup of org acme failed: reading its database on pool pool-0: ")
                    .contains("not authorized on org_acme");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(real.exitCode());
            assertThat(dry.err()).as("the delete's own refusal, said of a dry run").isEqualTo(asADryRun(real.err()));
            assertThat(dry.out()).as("no plan printed").isEmpty();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /**
     * The delete's refusal as its dry run words it: "would fail", without the thaw of a freeze it never made, and ending
     * with the dry run again as its way on.
     */
    private static String asADryRun(String refusal) {
        return refusal.replace("final backup of org acme failed:", "dry run: the final backup of org acme would fail:")
                .replace("; the org is active again", "")
                .replace("run the delete again", "run the dry run again ('tenantctl orgs delete acme --dry-run')");
    }
}
