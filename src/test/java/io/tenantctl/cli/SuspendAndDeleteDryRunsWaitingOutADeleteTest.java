package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
 * planned a final backup and the delete (both exit 0). The real suspend waits for the delete and then refuses the
 * deleting org it leaves (exit 2, "org acme is deleting: only active or read_only orgs can be suspended"); its dry run
 * plans on the org as the delete leaves it and refuses so too. The real delete that waited was refused the same way
 * (exit 2) — though the org deleted is what it was asked for, and what the delete it waited for did: it now ends as
 * {@code orgs delete acme} run then does ("already deleting", nothing to do, exit 0), and its dry run plans that.
 * Both dry runs write nothing.
 */
class SuspendAndDeleteDryRunsWaitingOutADeleteTest {

    @TempDir
    Path dir;

    @Test
    void suspendsDryRunRefusesAsTheSuspendThatWaitedDoes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Cli.Result dry = dryRunWritingNothing(f, "suspend");

            // once it waits, the delete ends: the org marked deleting (its database kept), its lease let go
            Cli.Result r = f.waitingOutTheDelete("acme", "orgs", "suspend", "acme", "--wait", "-o", "json");
            String refusal = "org acme is deleting: only active or read_only orgs can be suspended";
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString()).contains(refusal);

            assertThat(dry.exitCode()).as("the dry run ends as the real suspend did: %s", dry).isEqualTo(r.exitCode());
            assertThat(strictJson(dry).get("error").get("message").asText()).as(dry.toString()).startsWith("dry run: ").contains(refusal);
        }
    }

    @Test
    void deleteThatWaitedForADeleteEndsAsTheDeleteRunThenDoes() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Cli.Result dry = dryRunWritingNothing(f, "delete");
            Cli.Result dryText = f.cli.run("orgs", "delete", "acme", "--dry-run", "--wait");

            Cli.Result r = f.waitingOutTheDelete("acme", "orgs", "delete", "acme", "--wait", "-o", "json");
            Cli.Result rerun = f.cli.run("orgs", "delete", "acme", "-o", "json");
            assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
            assertThat(r.exitCode()).as("the delete that waited ends as the delete run now does: %s", r).isEqualTo(rerun.exitCode());
            assertThat(outcome(strictJson(r))).as(r.toString()).isEqualTo(outcome(strictJson(rerun)))
                    .isEqualTo(List.of("deleting", "deleting", "already deleting"));

            assertThat(dry.exitCode()).as("the dry run ends as the real delete did: %s", dry).isEqualTo(r.exitCode());
            JsonNode plan = strictJson(dry);
            assertThat(plan.get("dry_run").asBoolean()).as(dry.toString()).isTrue();
            assertThat(outcome(plan)).as(dry.toString()).isEqualTo(outcome(strictJson(r)));
            assertThat(dryText.exitCode()).as(dryText.toString()).isZero();
            assertThat(dryText.out()).as(dryText.toString()).startsWith("dry run: ").contains("org acme is already deleting")
                    .doesNotContain("null");
        }
    }

    /** What a delete reports it found and left: status before, status now, why no final backup was taken. */
    private static List<String> outcome(JsonNode d) {
        return List.of(d.path("status_before").asText(), d.path("status").asText(), d.path("backup_skipped").asText());
    }

    /** {@code orgs VERB acme --dry-run --wait -o json} while a delete is at work on acme, checked to write nothing. */
    private static Cli.Result dryRunWritingNothing(BackupFixture f, String verb) throws Exception {
        f.provision("acme");
        f.notes("acme", "notes", 3);
        f.deleteAtWork("acme");
        List<String> catalogBefore = f.catalogRows();
        var dataBefore = BackupFixture.contents(f.db("acme"));

        Cli.Result dry = f.cli.run("orgs", verb, "acme", "--dry-run", "--wait", "-o", "json");
        assertThat(f.catalogRows()).as("the dry run writes nothing to the catalog: %s", dry).isEqualTo(catalogBefore);
        assertThat(BackupFixture.contents(f.db("acme"))).as("nor to the org's database").isEqualTo(dataBefore);
        return dry;
    }
}
