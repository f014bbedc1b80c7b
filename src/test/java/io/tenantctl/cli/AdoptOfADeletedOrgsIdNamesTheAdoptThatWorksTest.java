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
 * Found by a probing helper: org j4 deleted with --no-backup and purged, then a stale client writes org_j4 again.
 * README says adopt's refusal of the deleted id advises {@code orgs adopt NEW_ID --pool POOL --database org_<id>}; it
 * said only "a deleted org's id is not reused: adopt the database under another id", with no next step (next_step
 * null). And {@code --discover} labelled org_j4 "(not an org_<id> name: write 'ID org_j4')", which is false: it is an
 * org_<id> name whose id is deleted org j4's.
 */
class AdoptOfADeletedOrgsIdNamesTheAdoptThatWorksTest {

    @TempDir
    Path dir;

    @Test
    void theRefusalAndDiscoverNameTheAdoptUnderANewId() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("j4");
            ok(f.cli, "orgs", "delete", "j4", "--no-backup");
            ok(f.cli, "orgs", "purge", "--older-than", "0");

            // nothing on the pool under that name: no adopt to advise (it would find no database)
            Cli.Result nothing = f.cli.run("orgs", "adopt", "j4", "--pool", "pool-0", "-o", "json");
            assertThat(nothing.exitCode()).as(nothing.toString()).isEqualTo(1);
            assertThat(strictJson(nothing).get("orgs").get(0).get("next_step").isNull()).as(nothing.toString()).isTrue();

            // a stale client writes org_j4 again
            f.database("pool-0", "org_j4").getCollection("users").insertOne(new Document("_id", 1).append("email", "late@j4"));

            String adopt = "tenantctl orgs adopt NEW_ID --pool pool-0 --database org_j4";
            Cli.Result refused = f.cli.run("orgs", "adopt", "j4", "--pool", "pool-0", "-o", "json");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            JsonNode line = strictJson(refused).get("orgs").get(0);
            assertThat(line.get("error").asText()).contains("deleted").contains(adopt);
            // NEW_ID is the operator's to choose: no command to run as it is, the adopt is the note
            assertThat(line.get("next_step").isNull()).as(line.toString()).isTrue();
            assertThat(line.get("next_note").asText()).isEqualTo(adopt);
            Cli.Result text = f.cli.run("orgs", "adopt", "j4", "--pool", "pool-0");
            assertThat(text.err()).as(text.toString()).contains("next for j4: " + adopt);

            Cli.Result discovered = ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-0");
            assertThat(discovered.out()).as(discovered.toString()).contains("org_j4").doesNotContain("not an org_<id> name")
                    .contains("deleted org j4").contains("'NEW_ID org_j4'");
            JsonNode found = strictJson(ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-0", "-o", "json")).get("databases").get(0);
            assertThat(found.get("suggested_org_id").isNull()).isTrue();

            // followed, with an id of one's own
            ok(f.cli, (adopt.substring("tenantctl ".length()).replace("NEW_ID", "j4-revived")).split(" "));
            assertThat(f.org("j4-revived").get("status").asText()).isEqualTo("active");
        }
    }
}
