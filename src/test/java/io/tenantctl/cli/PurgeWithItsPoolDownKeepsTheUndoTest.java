package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A purge whose org's pool does not answer decides nothing: the org stays deleting, so `orgs resume` still undoes the
 * delete. It used to say "could not be compared … kept; run it again, or 'orgs purge --drop-changed ORG'", and that
 * command handed the org over (deleted) for a drop that could not be made: the undo gone, nothing dropped. Found then:
 * its dry run said "run the purge again once it answers", pointing at the real purge from a preview: it says the dry run.
 */
class PurgeWithItsPoolDownKeepsTheUndoTest {

    @TempDir
    Path dir;

    @Test
    void aPurgeWithThePoolDownSkipsTheOrgDropChangedTooAndResumeStillUndoesTheDelete() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            ok(f.cli, "orgs", "delete", "acme");
            try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
                s.execute("update orgs set deleted_at = now() - interval '40 days' where org_id = 'acme'");
            }
            Cli poolDown = f.newCli().decoratePools(real -> HookedPools.onPing(real, pool -> {
                throw HookedPools.commandError(6, "host unreachable (test)");
            }));

            for (String[] purge : new String[][] {{"orgs", "purge", "--dry-run", "-o", "json"}, {"orgs", "purge", "-o", "json"},
                    {"orgs", "purge", "--older-than", "0d", "--drop-changed", "acme", "-o", "json"}}) {
                Cli.Result r = poolDown.run(purge);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
                JsonNode org = strictJson(r).get("orgs").get(0);
                assertThat(org.get("action").asText()).as(r.toString()).isEqualTo("skipped");
                boolean dry = List.of(purge).contains("--dry-run");
                // a dry run's way on is itself again, never the purge it previews
                assertThat(org.get("detail").asText()).as(r.toString()).contains("pool-0")
                        .contains(dry ? "run this dry run again once it answers" : "run the purge again once it answers")
                        .doesNotContain("--drop-changed").doesNotContain(dry ? "run the purge again" : "run this dry run again");
                assertThat(f.org("acme").get("status").asText()).as("still deleting after " + String.join(" ", purge)).isEqualTo("deleting");
            }

            // its pool really down (the ping's own error names it: "pool pool-0 (…) is unreachable: …"): the detail named the
            // pool twice, "pool pool-0 does not answer (pool pool-0 (…) is unreachable: …)"; it says it once, as delete does
            ok(f.cli, "pools", "set-uri", "pool-0", "--uri", "mongodb://127.0.0.1:1/", "--force", "--allow-unreachable");
            Cli down = f.cli.quickToGiveUpOnDeadPools();
            for (String[] purge : new String[][] {{"orgs", "purge", "--dry-run", "-o", "json"}, {"orgs", "purge", "-o", "json"}}) {
                Cli.Result r = down.run(purge);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
                String detail = strictJson(r).get("orgs").get(0).get("detail").asText();
                assertThat(detail).as(r.toString()).startsWith("pool pool-0 does not answer: ").doesNotContain("is unreachable")
                        .contains(" — see 'tenantctl pools stats pool-0'")
                        .endsWith(List.of(purge).contains("--dry-run") ? "; run this dry run again once it answers" : "; run the purge again once it answers");
                assertThat(detail.split("pool pool-0", -1)).as("the pool named once: %s", detail).hasSize(2);
            }
            // resume with its pool down said "pool pool-0 could not be asked for its database org_acme (…)": the shared form now
            Cli.Result resume = down.run("orgs", "resume", "acme");
            assertThat(resume.exitCode()).as(resume.toString()).isEqualTo(3);
            assertThat(resume.err().strip()).as(resume.toString()).startsWith("error: org acme: pool pool-0 does not answer: ")
                    .contains(" — see 'tenantctl pools stats pool-0'").doesNotContain("could not be asked").doesNotContain("is unreachable")
                    .endsWith("the org is still deleting; once it answers, run the resume again").hasLineCount(1);
            ok(f.cli, "pools", "set-uri", "pool-0", "--uri", f.pools.uri(0), "--force");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");

            ok(f.cli, "orgs", "resume", "acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(f.database("pool-0", "org_acme").getCollection("notes").countDocuments()).isEqualTo(5);
        }
    }
}
