package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming placement: placement refuses a new id whose database name another org owns ("'-' and '_' are the
 * same in database names: choose another id"), but it looks only at the orgs' current pointers, not at
 * {@code retired_databases}. After {@code restore --org big-co} (default mode: a fresh database, the replaced
 * {@code org_big_co} kept on pool-0 until gc), {@code provision big_co} is placed onto pool-0 whose {@code org_big_co} is
 * big-co's old data. The provision then refuses the database because it holds documents — and tells the operator to
 * "register it with 'tenantctl orgs adopt big_co --pool pool-0'". Followed literally, adopt (which does not look at
 * retired databases either) makes big_co an active org whose database is another customer's data: big_co's users read
 * big-co's documents, and big_co's writes go into the copy gc is meant to drop.
 *
 * <p>The id must be refused like any other clash (nothing placed, no row), and no hint may lead to adopting a retired
 * database as a new org.
 */
class ProvisionOntoARetiredDatabaseTest {

    @Test
    void anIdWhoseDatabaseIsAnotherOrgsRetiredCopyIsRefusedAndNoHintAdoptsIt(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("big-co");
            f.notes("big-co", "notes", 10);
            f.backup("big-co");
            ok(f.cli, "restore", "--org", "big-co");
            assertThat(f.org("big-co").get("database_name").asText()).as("restored into a fresh database").isNotEqualTo("org_big_co");
            assertThat(f.databaseNames("pool-0")).as("the replaced database is kept until gc").contains("org_big_co");

            // a new customer signs up as big_co
            Cli.Result provision = f.cli.run("provision", "big_co", "--schema", f.schema.toString(), "-o", "json");
            assertThat(provision.exitCode()).as(provision.toString()).isEqualTo(1);
            JsonNode failed = strictJson(provision).get("failed").get(0);
            String said = failed.get("error").asText() + " / next: " + failed.path("next_step").asText();

            // whatever command it names, followed literally, must not make big_co an org on big-co's data
            Matcher adopt = Pattern.compile("tenantctl (orgs adopt big_co --pool pool-0)").matcher(said);
            if (adopt.find()) {
                Cli.Result followed = f.cli.run(adopt.group(1).split(" "));
                Cli.Result bigCo = f.cli.run("orgs", "show", "big_co", "-o", "json");
                boolean onRetiredData = followed.exitCode() == 0 && bigCo.exitCode() == 0
                        && strictJson(bigCo).get("database_name").asText().equals("org_big_co")
                        && strictJson(bigCo).get("status").asText().equals("active");
                assertThat(onRetiredData).as("provision said: %s%nfollowing it: %s%nbig_co now: %s", said, followed, bigCo).isFalse();
            }
            assertThat(said).as("the refusal says the name is taken, and to choose another id").contains("choose another id")
                    .contains("org big-co's retired copy on pool pool-0"); // found by a probing helper: "org 'big-co''s"
            Cli.Result row = f.cli.run("orgs", "show", "big_co", "-o", "json");
            assertThat(row.exitCode()).as("no row for a refused id: %s", row).isEqualTo(2);
            // big-co's old data is still only big-co's retired copy
            assertThat(f.database("pool-0", "org_big_co").getCollection("notes").countDocuments(new Document())).isEqualTo(10);
        }
    }
}
