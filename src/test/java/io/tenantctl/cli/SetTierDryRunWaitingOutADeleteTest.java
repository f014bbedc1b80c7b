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
 * While a delete is at work on acme, {@code orgs set-tier acme pro --dry-run --wait -o json} planned the org staying
 * {@code read_only} (the delete's freeze), while the real set-tier waits for the delete and sets the tier of the deleting
 * org it leaves ({@code status: deleting}). The dry run plans on the org as the delete leaves it, writing nothing.
 */
class SetTierDryRunWaitingOutADeleteTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunPlansTheStatusTheRealSetTierReports() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.deleteAtWork("acme");
            List<String> catalogBefore = f.catalogRows();

            JsonNode plan = strictJson(ok(f.cli, "orgs", "set-tier", "acme", "pro", "--dry-run", "--wait", "-o", "json"));
            assertThat(f.catalogRows()).as("the dry run writes nothing: %s", plan).isEqualTo(catalogBefore);

            // once it waits, the delete ends: the org marked deleting (its database kept), its lease let go
            Cli.Result r = f.waitingOutTheDelete("acme", "orgs", "set-tier", "acme", "pro", "--wait", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            JsonNode real = strictJson(r);

            assertThat(change(plan)).as("the dry run plans what the real set-tier did: %s / %s", plan, real).isEqualTo(change(real));
            assertThat(f.org("acme").get("status").asText()).isEqualTo(real.get("status").asText());
        }
    }

    /** What a set-tier result says it changes. */
    private static List<String> change(JsonNode c) {
        return List.of(c.get("status_before").asText(), c.get("status").asText(), c.get("tier_before").asText(), c.get("tier").asText(),
                c.get("changed").asText());
    }
}
