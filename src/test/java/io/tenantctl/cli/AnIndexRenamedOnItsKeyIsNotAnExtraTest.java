package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper renamed a unique index on its key (email_u → email_1, no longer unique) with --replace-conflicting:
 * the dry run and the run said "would replace 1 (users.email_1 (was email_u))" and also that email_u was a kept extra
 * that is "not harmless", with a way back to run — though the rebuild removes it. The dry run also said "0 conflicts
 * (would be replaced)" beside the one it would replace.
 */
@Timeout(60)
class AnIndexRenamedOnItsKeyIsNotAnExtraTest {

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void theReplacedIndexIsNeitherAnExtraNorConstrainingAndTheCountsAgree(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "r1.json", """
                {"collections":[{"name":"users","indexes":[{"name":"email_u","key":{"email":1},"unique":true}]}]}
                """), "r1");
        Path r2 = write(dir, "r2.json", """
                {"collections":[{"name":"users","indexes":[{"name":"email_1","key":{"email":1}}]}]}
                """);

        Cli.Result dryText = cli.run("migrate-all", "--org", "r1", "--schema", r2.toString(), "--replace-conflicting", "--dry-run");
        assertThat(dryText.exitCode()).as(dryText.toString()).isZero();
        assertThat(dryText.out()).contains("would replace 1 (users.email_1 (was email_u))")
                .contains("1 conflict (would be replaced)").doesNotContain("not harmless").doesNotContain("--prune");

        Cli.Result dry = cli.run("migrate-all", "--org", "r1", "--schema", r2.toString(), "--replace-conflicting", "--dry-run", "-o", "json");
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        JsonNode dryPlan = strictJson(dry).get("orgs").get(0).get("plan");
        assertThat(dryPlan.get("extras")).as(dryPlan.toString()).isEmpty();
        assertThat(dryPlan.get("constraining")).as(dryPlan.toString()).isEmpty();

        Cli.Result run = cli.run("migrate-all", "--org", "r1", "--schema", r2.toString(), "--replace-conflicting", "-o", "json");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode plan = strictJson(run).get("orgs").get(0).get("plan");
        assertThat(plan.get("replaced").toString()).contains("users.email_1 (was email_u)");
        assertThat(plan.get("extras")).as(plan.toString()).isEmpty();
        assertThat(plan.get("constraining")).as(plan.toString()).isEmpty();
        SchemaCheck.assertExactly(fleet.url, List.of("r1"), SchemaManifest.load(r2));
    }
}
