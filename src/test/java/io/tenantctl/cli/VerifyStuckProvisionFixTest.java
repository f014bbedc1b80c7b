package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.OnCallNextStepsTest.command;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team e: an org stuck {@code provisioning} (its provision's process died) is reported {@code org_stuck} with the fix
 * {@code tenantctl provision ORG (resumes it; …)}. The fleet runs its own manifest ({@code provision --schema FILE}, as a
 * deploy pipeline does); the printed command has no {@code --schema}, so followed literally it finishes the org with
 * the built-in LibreChat model — 47 collections and 290 indexes the application does not use — and records that
 * manifest's hash, different from every other org's. README: "A next step carries what the command was given
 * (--schema, --tier, --pool)"; the run that provisioned the org recorded its manifest.
 */
@Timeout(180)
class VerifyStuckProvisionFixTest {

    @TempDir
    Path dir;

    @Test
    void theStuckProvisioningFixFinishesTheOrgWithTheManifestItWasProvisionedWith() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            // newco's provision (same manifest) gets half-way; its process dies before it can record anything
            Cli dying = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test")).decoratePools(real ->
                    HookedPools.onCommand(real, (db, cmd) -> {
                        if (db.equals("org_newco") && HookedPools.is(cmd, "createIndexes")) {
                            throw HookedPools.commandError(2, "injected: the node went away");
                        }
                    }));
            dying.run("provision", "--schema", f.schema.toString(), "--pool", "pool-0", "newco");
            try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
                s.execute("update orgs set status = 'provisioning', updated_at = now() - interval '2 hours' where org_id = 'newco'");
            }

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            String fix = null;
            for (JsonNode x : strictJson(v).get("findings")) {
                if (x.get("kind").asText().equals("org_stuck") && x.get("org_id").asText().equals("newco")) {
                    fix = x.get("fix").asText();
                }
            }
            assertThat(fix).as(v.toString()).isNotNull();

            Cli.Result followed = f.cli.run(command(fix));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();

            JsonNode newco = f.org("newco");
            assertThat(newco.get("status").asText()).isEqualTo("active");
            assertThat(newco.get("schema_hash").asText())
                    .as("following '%s' must finish newco with the manifest it was provisioned with (acme's), not the built-in model", fix)
                    .isEqualTo(f.org("acme").get("schema_hash").asText());
            List<String> collections = f.db("newco").listCollectionNames().into(new ArrayList<>());
            assertThat(collections).as("newco's collections").containsExactlyInAnyOrder("users", "messages");
        }
    }
}
