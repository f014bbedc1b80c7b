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
 * The operator who deleted the wrong org asks first what {@code orgs resume acme --wait} would do while the delete is
 * still at work: {@code --dry-run} planned "read_only -> active" (the delete's freeze, as it is now), while the real
 * resume waits for the delete and takes back the deleting org it leaves ("deleting -> active", the delete undone). The
 * dry run plans on the org as the delete it would wait for leaves it, the real run's decision, and writes nothing.
 */
class ResumeDryRunWaitingOutADeleteTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunPlansTheUndeleteTheRealResumeThenMakes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            f.deleteAtWork("acme");
            List<String> catalogBefore = f.catalogRows();
            var dataBefore = BackupFixture.contents(f.db("acme"));

            Cli.Result dry = ok(f.cli, "orgs", "resume", "acme", "--dry-run", "--wait", "-o", "json");
            assertThat(dry.err()).as(dry.toString()).contains("would wait (--wait)").contains("org acme is busy: delete by");
            JsonNode plan = strictJson(dry);
            assertThat(plan.get("dry_run").asBoolean()).as(plan.toString()).isTrue();
            assertThat(f.catalogRows()).as("the dry run writes nothing to the catalog").isEqualTo(catalogBefore);
            assertThat(BackupFixture.contents(f.db("acme"))).as("nor to the org's database").isEqualTo(dataBefore);

            // once it waits, the delete ends: the org marked deleting (its database kept), its lease let go
            Cli.Result r = f.waitingOutTheDelete("acme", "orgs", "resume", "acme", "--wait", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode real = strictJson(r);

            assertThat(transition(plan)).as("the dry run plans what the real resume did: %s / %s", plan, real).isEqualTo(transition(real));
            assertThat(f.org("acme").get("status").asText()).isEqualTo(real.get("status").asText());
        }
    }

    /** What a suspend/resume result says it changes: the status before, after, and whether it changed. */
    private static List<String> transition(JsonNode c) {
        return List.of(c.get("status_before").asText(), c.get("status").asText(), c.get("changed").asText());
    }
}
