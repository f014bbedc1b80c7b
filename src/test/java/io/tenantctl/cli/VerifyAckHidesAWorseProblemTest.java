package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team e: a finding's id is a hash of its kind, org, pool and subject, and the subject of an org's schema findings
 * is empty — so every {@code schema_missing} of an org is the same finding, whatever is missing. An on-call engineer
 * acks one known, harmless gap (a secondary index dropped on purpose for a week); the next day the org loses its unique
 * {@code users.email_1} and a whole collection. verify lists the worse problem as {@code acked}, under the old reason,
 * and exits 0: the ack silenced a problem nobody acknowledged.
 */
@Timeout(120)
class VerifyAckHidesAWorseProblemTest {

    @TempDir
    Path dir;

    private static JsonNode finding(Cli.Result verify, String kind) {
        for (JsonNode x : strictJson(verify).get("findings")) {
            if (x.get("kind").asText().equals(kind)) {
                return x;
            }
        }
        throw new AssertionError("no " + kind + " finding: " + verify);
    }

    @Test
    void anAckOfOneMissingIndexDoesNotSilenceAMissingUniqueIndexAndCollectionFoundLater() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            f.db("acme").getCollection("users").dropIndex("tenant_1_role_1"); // on purpose: a load test, put back next week

            Cli.Result first = f.cli.run("verify", "-o", "json");
            assertThat(first.exitCode()).as(first.toString()).isEqualTo(4);
            JsonNode acked = finding(first, "schema_missing");
            assertThat(acked.get("detail").asText()).contains("users.tenant_1_role_1");
            ok(f.cli, "verify", "ack", acked.get("finding_id").asText(), "--until", "7d", "--reason",
                    "tenant_1_role_1 dropped for the load test, rebuilt next week");
            assertThat(f.cli.run("verify").exitCode()).as("the acked gap alone: exit 0").isZero();

            // the next day: the unique email index and the whole messages collection are gone
            f.db("acme").getCollection("users").dropIndex("email_1");
            f.db("acme").getCollection("messages").drop();

            Cli.Result later = f.cli.run("verify", "-o", "json");
            JsonNode now = finding(later, "schema_missing");
            assertThat(now.get("detail").asText()).contains("users.email_1").contains("messages");
            assertThat(later.exitCode())
                    .as("a problem nobody acknowledged (%s) must make verify exit 4, not hide under the ack for '%s':%n%s",
                            now.get("detail").asText(), "tenant_1_role_1", later)
                    .isEqualTo(4);
            assertThat(now.get("state").asText()).isNotEqualTo("acked");
        }
    }
}
