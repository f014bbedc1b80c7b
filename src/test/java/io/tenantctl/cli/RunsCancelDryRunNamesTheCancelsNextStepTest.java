package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found {@code runs cancel RUN --dry-run} of an interrupted provision giving each org it would fail
 * the next step 'tenantctl provision --resume RUN' — the run being cancelled, which the real cancel makes unresumable —
 * while the real cancel gives 'tenantctl provision ORG --schema-hash … --tier …'. The dry run names the step the
 * cancel gives. Its {@code -o json} says {@code dry_run}, as every dry run's does.
 */
@Timeout(90)
class RunsCancelDryRunNamesTheCancelsNextStepTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void theDryRunsNextStepIsTheCancelsOne(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        Path schema = CliFixture.smallSchema(dir);
        String runId = strictJson(ok(cli, "provision", "m15", "--schema", schema.toString(), "--tier", "free",
                "--detach", "-o", "json")).get("run_id").asText();
        // a worker on another host had begun m15 and died: its lease ran out, so the cancel ends it (failed)
        sql(url, "update run_items set status = 'running', claimed_by = 'elsewhere/1/x', lease_until = now() - interval '1 minute', "
                + "attempts = 1 where run_id = '" + runId + "'");

        Cli.Result dryText = ok(cli, "runs", "cancel", runId, "--dry-run");
        JsonNode dry = strictJson(ok(cli, "runs", "cancel", runId, "--dry-run", "-o", "json"));
        JsonNode cancelled = strictJson(ok(cli, "runs", "cancel", runId, "-o", "json"));

        String step = cancelled.get("provision").get("failed").get("m15").asText();
        assertThat(step).startsWith("tenantctl provision m15 --schema-hash ").endsWith(" --tier free");
        assertThat(dry.get("provision").get("failed").get("m15").asText()).as("dry run: %s", dry).isEqualTo(step);
        assertThat(dryText.out()).as(dryText.toString()).contains("m15 '" + step + "'").doesNotContain("--resume");
        // found by the on-call audit: the dry run's document was the run as it is ("status": "running") with the
        // places it would release, and nothing saying that nothing was done; a script reads dry_run, as of every other command
        assertThat(dry.path("dry_run").isBoolean()).as("dry run: %s", dry).isTrue();
        assertThat(dry.get("dry_run").asBoolean()).as("dry run: %s", dry).isTrue();
        assertThat(cancelled.path("dry_run").isBoolean()).as("cancel: %s", cancelled).isTrue();
        assertThat(cancelled.get("dry_run").asBoolean()).as("cancel: %s", cancelled).isFalse();
    }
}
