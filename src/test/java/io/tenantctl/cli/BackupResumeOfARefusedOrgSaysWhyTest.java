package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a backup run refuses an org it does not take (here a failed one) with the reason, and
 * {@code --resume} of the run (which tries its failed orgs again) then said "org became failed before it was backed up",
 * as if the org had changed during the run. The resume must give the same reason, and back up the org it can.
 */
class BackupResumeOfARefusedOrgSaysWhyTest {

    @Test
    void theResumeSaysWhyAsTheRunDid(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.database("pool-0", "org_broken").getCollection("users").insertOne(new Document("email", "a@b.example"));
            assertThat(f.cli.run("provision", "--schema", f.schema.toString(), "broken").exitCode()).isEqualTo(1); // a failed row

            Cli.Result first = f.cli.run("backup", "--org", "acme,broken", "-o", "json");
            assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
            String why = error(first, "broken");
            assertThat(why).isEqualTo("org is failed: only active or read_only orgs (and deleting ones named with --org) are backed up");

            Cli.Result resumed = f.cli.run("backup", "--resume", strictJson(first).get("run_id").asText(), "-o", "json");
            assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(1);
            assertThat(error(resumed, "broken")).as(resumed.toString()).isEqualTo(why);
            assertThat(CliFixture.count(f.catalogUrl, "select count(*) from backups where org_id = 'acme' and status = 'complete'"))
                    .as("acme backed up once, not again by the resume").isEqualTo(1);
        }
    }

    private static String error(Cli.Result r, String orgId) {
        for (JsonNode o : strictJson(r).get("orgs")) {
            if (o.get("org_id").asText().equals(orgId)) {
                return o.get("error").asText();
            }
        }
        throw new AssertionError(orgId + " not in " + r);
    }
}
