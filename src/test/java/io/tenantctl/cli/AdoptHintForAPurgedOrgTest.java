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
 * Found by red-teaming: an org that was deleted and purged keeps its catalog row (status deleted). {@code orgs adopt} of
 * that id looks for the database before it looks at the catalog, finds none (purge dropped it), fails with "'tenantctl
 * provision acme' creates a new one" and gives {@code next: tenantctl provision acme} (next_step in JSON). Followed
 * literally, that provision fails too: "org is deleted: provision only creates new orgs …". The hint must be one that
 * works — or none, with the refusal saying the org is in the catalog as deleted.
 */
class AdoptHintForAPurgedOrgTest {

    @TempDir
    Path dir;

    @Test
    void adoptOfAPurgedOrgNeverPointsAtAProvisionThatIsRefused() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            ok(f.cli, "orgs", "delete", "acme");
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleted");

            Cli.Result adopt = f.cli.run("orgs", "adopt", "acme", "--pool", "pool-0", "-o", "json");

            assertThat(adopt.exitCode()).as(adopt.toString()).isEqualTo(1);
            JsonNode line = strictJson(adopt).get("orgs").get(0);
            String next = line.get("next_step").isNull() ? null : line.get("next_step").asText();
            if (next != null && next.startsWith("tenantctl provision")) {
                // the hint, followed literally
                Cli.Result followed = f.cli.run((next.substring("tenantctl ".length()) + " --schema " + f.schema).split(" "));
                assertThat(followed.exitCode()).as("adopt's next step '%s' works: %s", next, followed).isZero();
            }
            assertThat(line.get("error").asText()).as("the refusal says the org is in the catalog, deleted").contains("deleted");
        }
    }

    /**
     * Deleting, not yet purged: the hint was "adopt the database under another id", and that adopt is refused (the
     * database still belongs to the deleting org). The way that works is resume, which takes the org back with it.
     */
    @Test
    void adoptOfADeletingOrgPointsAtTheResumeThatTakesItBack() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            ok(f.cli, "orgs", "delete", "acme");

            Cli.Result adopt = f.cli.run("orgs", "adopt", "acme", "--pool", "pool-0", "--database", "org_acme");

            assertThat(adopt.exitCode()).as(adopt.toString()).isEqualTo(1);
            assertThat(adopt.out()).contains("'tenantctl orgs resume acme' takes it back").doesNotContain("under another id");
            ok(f.cli, "orgs", "resume", "acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(3);
        }
    }
}
