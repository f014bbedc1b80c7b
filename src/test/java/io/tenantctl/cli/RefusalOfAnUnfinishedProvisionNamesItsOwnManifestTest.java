package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An org left {@code provisioning} (its provision stopped by Ctrl-C before it was made) is refused by {@code orgs suspend}
 * and {@code orgs resume} (exit 2), which named the way on as "re-run 'tenantctl provision acme'": a bare provision takes
 * the built-in LibreChat manifest, so the operator who followed it gave an org meant for the run's {@code --schema} 47
 * collections of another application. The refusal names the step that finishes the provision as it was meant — the run's
 * {@code --resume}, or a provision with its manifest's hash and the org's tier — as {@code orgs show}'s wayOn and verify do.
 */
class RefusalOfAnUnfinishedProvisionNamesItsOwnManifestTest {

    @TempDir
    Path dir;

    @Test
    void theStepASuspendRefusalNamesFinishesTheOrgWithItsOwnManifest() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            CancelToken ctrlC = new CancelToken();
            ctrlC.cancel("SIGINT");
            Cli.Result stopped = f.cli.run(ctrlC, "provision", "--schema", f.schema.toString(), "acme");
            assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(130);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("provisioning");

            Cli.Result suspend = f.cli.run("orgs", "suspend", "acme", "-o", "json");
            assertThat(suspend.exitCode()).as(suspend.toString()).isEqualTo(2);
            String refusal = strictJson(suspend).get("error").get("message").asText();
            Cli.Result resume = f.cli.run("orgs", "resume", "acme", "-o", "json");
            assertThat(strictJson(resume).get("error").get("message").asText()).as(resume.toString())
                    .endsWith(refusal.substring(refusal.indexOf(" can be suspended") + " can be suspended".length()));

            CliFixture.followNextStep(f.cli, refusal);

            JsonNode acme = f.org("acme");
            assertThat(acme.get("status").asText()).isEqualTo("active");
            assertThat(acme.get("schema_hash").asText()).as("the run's manifest, not the built-in one")
                    .isEqualTo(SchemaManifest.load(f.schema).hash());
            CliFixture.assertExactly(f.catalogUrl, f.schema, List.of("acme"));
        }
    }
}
