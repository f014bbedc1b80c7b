package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: README says every fan-out summary gives each failed org the command that moves it on.
 * {@code rebalance move ORG --to P} refused because the org is {@code deleting} (after {@code orgs delete}) or
 * {@code provisioning} (a never-started org of an interrupted provision) gave {@code next_step: null, next_note: null}
 * in -o json, and no {@code next:} in text. The way on is the undo of the delete ({@code orgs resume}), or what finishes
 * the provision, as {@code orgs show} names it.
 */
class AMoveOfADeletingOrProvisioningOrgNamesTheWayOnTest {

    @TempDir
    Path dir;

    @Test
    void aDeletingOrgsRefusedMoveNamesTheResumeThatTakesItBack() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            ok(f.cli, "orgs", "delete", "acme");

            Cli.Result json = f.cli.run("rebalance", "move", "acme", "--to", "pool-1", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
            JsonNode failed = strictJson(json).get("failed").get(0);
            assertThat(failed.path("next_step").asText(null)).as(json.toString()).isEqualTo("tenantctl orgs resume acme");

            Cli.Result text = f.cli.run("rebalance", "move", "acme", "--to", "pool-1");
            assertThat(text.err()).as(text.toString()).contains("next: tenantctl orgs resume acme");
        }
    }

    @Test
    void aProvisioningOrgNobodyWorksOnNamesWhatFinishesItsProvision() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'provisioning', version = version + 1 where org_id = 'acme'");

            Cli.Result json = f.cli.run("rebalance", "move", "acme", "--to", "pool-1", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
            JsonNode failed = strictJson(json).get("failed").get(0);
            assertThat(failed.path("next_step").asText("")).as(json.toString()).startsWith("tenantctl provision");
        }
    }
}
