package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code provision ID} of a deleted (purged) org failed with "next: tenantctl orgs show ID",
 * and {@code orgs show} of a deleted org named no next step: a loop that never moves the org on, which README's
 * "Failed orgs are never stuck" promises. Both now say what {@code orgs resume} of a gone org says: choose another id,
 * or the {@code restore --org ID --to-org NEW_ID} of its newest complete backup when it has one.
 */
class ProvisionOfADeletedOrgNamesTheWayOnTest {

    @TempDir
    Path dir;

    @Test
    void provisionAndOrgsShowOfAPurgedOrgNameAnotherIdOrTheRestoreOfItsBackup() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("s1", "s2");
            f.notes("s2", "notes", 5);
            ok(f.cli, "orgs", "delete", "s1", "--no-backup");
            ok(f.cli, "orgs", "delete", "s2"); // its final backup
            ok(f.cli, "orgs", "purge", "--older-than", "0");

            // no backup: nothing to bring back, a new org takes another id
            Cli.Result none = f.cli.run("provision", "s1", "-o", "json");
            assertThat(none.exitCode()).as(none.toString()).isEqualTo(1);
            JsonNode noneFailed = strictJson(none).get("failed").get(0);
            assertThat(noneFailed.get("next_step").isNull()).as("another id is the operator's to choose: %s", noneFailed).isTrue();
            String next = noneFailed.get("next_note").asText();
            assertThat(next).as(none.toString()).doesNotContain("orgs show").contains("another id").contains("nothing to bring back");
            assertThat(ok(f.cli, "orgs", "show", "s1").out()).contains("next").contains("another id").contains("nothing to bring back");

            // a final backup: its data comes back under a new id, as the step pasted does
            Cli.Result backed = f.cli.run("provision", "s2");
            assertThat(backed.exitCode()).as(backed.toString()).isEqualTo(1);
            String restore = "tenantctl restore --org s2 --to-org NEW_ID";
            assertThat(backed.err()).as(backed.toString()).contains(restore).doesNotContain("next for s2: tenantctl orgs show");
            JsonNode shown = strictJson(ok(f.cli, "orgs", "show", "s2", "-o", "json"));
            assertThat(shown.get("next_note").asText()).contains(restore);
            // found next: next_step was left out of the document (NON_NULL) and next repeated next_note word for word; a way on
            // with no command to paste is as provision's failed entry gives it: next_step null, the way in next_note, no next
            assertThat(shown.has("next_step")).as("next_step is always there: %s", shown).isTrue();
            assertThat(shown.get("next_step").isNull()).as(shown.toString()).isTrue();
            assertThat(shown.has("next")).as("the note said once: %s", shown).isFalse();
            JsonNode shownNone = strictJson(ok(f.cli, "orgs", "show", "s1", "-o", "json"));
            assertThat(shownNone.get("next_note").asText()).isEqualTo(noneFailed.get("next_note").asText());
            assertThat(shownNone.has("next_step") && shownNone.get("next_step").isNull() && !shownNone.has("next")).as(shownNone.toString()).isTrue();
            ok(f.cli, restore.replace("NEW_ID", "s2-back").substring("tenantctl ".length()).split(" "));
            assertThat(f.db("s2-back").getCollection("notes").countDocuments()).isEqualTo(5);
        }
    }
}
