package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * While a delete is at work on acme (the org frozen read_only for its final backup), {@code orgs suspend acme --dry-run
 * --wait} said "dry run: org acme is already read_only: nothing to do" and {@code orgs delete acme --dry-run --wait}
 * planned a final backup and the delete (both exit 0), while the real commands wait for the delete and then refuse the
 * deleting org it leaves (exit 2, "org acme is deleting: only active or read_only orgs can be …"). Each dry run plans on
 * the org as the delete it would wait for leaves it, and refuses as the real command then does, writing nothing.
 */
class SuspendAndDeleteDryRunsWaitingOutADeleteTest {

    @TempDir
    Path dir;

    @Test
    void suspendsDryRunRefusesAsTheSuspendThatWaitedDoes() throws Exception {
        dryRunRefusesAsTheRealOneDoes("suspend", "suspended");
    }

    @Test
    void deletesDryRunRefusesAsTheDeleteThatWaitedDoes() throws Exception {
        dryRunRefusesAsTheRealOneDoes("delete", "deleted");
    }

    private void dryRunRefusesAsTheRealOneDoes(String verb, String done) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.deleteAtWork("acme");
            List<String> catalogBefore = f.catalogRows();
            var dataBefore = BackupFixture.contents(f.db("acme"));

            Cli.Result dry = f.cli.run("orgs", verb, "acme", "--dry-run", "--wait", "-o", "json");
            assertThat(f.catalogRows()).as("the dry run writes nothing to the catalog: %s", dry).isEqualTo(catalogBefore);
            assertThat(BackupFixture.contents(f.db("acme"))).as("nor to the org's database").isEqualTo(dataBefore);

            // once it waits, the delete ends: the org marked deleting (its database kept), its lease let go
            Cli.Result r = f.waitingOutTheDelete("acme", "orgs", verb, "acme", "--wait", "-o", "json");
            String refusal = "org acme is deleting: only active or read_only orgs can be " + done;
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString()).contains(refusal);

            assertThat(dry.exitCode()).as("the dry run ends as the real %s did: %s", verb, dry).isEqualTo(r.exitCode());
            assertThat(strictJson(dry).get("error").get("message").asText()).as(dry.toString()).startsWith("dry run: ").contains(refusal);
        }
    }
}
