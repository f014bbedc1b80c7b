package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code rebalance gc --older-than 0} (or the --older-than GRACE verify prints) keeps a retained
 * source written after its move and says "merge them into org acme, then 'tenantctl rebalance gc --drop-changed
 * pool-0/org_acme'". Followed literally after the merge, that command runs with gc's default --older-than 7d, finds no
 * retired database of that name older than 7 days, and stops with a usage error (exit 2) whose own hint, 'rebalance gc
 * --dry-run', lists nothing either. The printed step must carry the --older-than the kept item was found with.
 */
class GcDropChangedHintTest {

    @TempDir
    Path dir;

    @Test
    void theDropChangedStepGcPrintsWorksWhenFollowedLiterally() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new Document("_id", "late")); // a stale client
            JsonNode gc = strictJson(CliFixture.keptForAPerson(f.cli, "rebalance", "gc", "--older-than", "0", "-o", "json"));
            JsonNode kept = gc.get("items").get(0);
            assertThat(kept.get("action").asText()).as(gc.toString()).isEqualTo("kept");
            String hint = kept.get("detail").asText();

            f.db("acme").getCollection("notes").insertOne(new Document("_id", "late")); // the engineer merges the write
            String step = hint.substring(hint.indexOf("'tenantctl ") + 1, hint.lastIndexOf('\''));
            Cli.Result followed = f.cli.run(OnCallNextStepsTest.command(step));

            assertThat(followed.exitCode()).as("'" + step + "' as gc printed it:\n" + followed).isZero();
            assertThat(f.databaseNames("pool-0")).as("the merged source is dropped").doesNotContain("org_acme");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(21);
        }
    }

    /**
     * gc's dry run ended 'dry run: would drop 1 database' and named no gc to run: it names the gc it previews, as given —
     * the --drop-changed of a source the engineer merged too, without which that gc keeps it (exit 1) — in its text and
     * -o json's next_step; run as printed, it drops the source.
     */
    @Test
    void theDryRunNamesTheGcItPreviewsWhichDropsTheDatabase() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new Document("_id", "late")); // a stale client
            f.db("acme").getCollection("notes").insertOne(new Document("_id", "late")); // the engineer merges the write
            String[] dryRun = {"rebalance", "gc", "--older-than", "0", "--drop-changed", "pool-0/org_acme", "--dry-run"};
            String named = "tenantctl rebalance gc --older-than 0d --drop-changed pool-0/org_acme";

            Cli.Result dry = ok(f.cli, dryRun);
            assertThat(dry.out()).contains("next: " + named + "   (");
            JsonNode json = strictJson(ok(f.cli, CliFixture.args(java.util.List.of(dryRun), java.util.List.of("-o", "json"))));
            assertThat(json.get("next_step").asText()).isEqualTo(named);
            assertThat(f.databaseNames("pool-0")).as("a dry run drops nothing").contains("org_acme");

            CliFixture.followNextStep(f.cli, dry.out().substring(dry.out().indexOf("next: ")));
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
        }
    }
}
