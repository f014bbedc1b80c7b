package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.runItem;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code runs show RUN -o json} lacked the header the verb's own -o json starts with
 * ({@code counts}, {@code p50_ms}, {@code p95_ms}, {@code max_ms}, each org's {@code outcome} in the verb's words) and
 * its {@code summary} is null for every run but migrate-all's, so a monitor could not read a detached run's result the
 * way it reads a live one. It now carries that header, beside its own fields.
 */
class RunsShowJsonHasTheRunsHeaderTest {

    @TempDir
    Path dir;

    @Test
    void runsShowSaysWhatTheRunsOwnJsonSaid() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            JsonNode live = strictJson(ok(f.cli, "backup", "--org", "acme,globex", "-o", "json"));
            String runId = live.get("run_id").asText();

            JsonNode shown = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));

            assertThat(shown.path("run_id").asText()).as(shown.toPrettyString()).isEqualTo(runId);
            assertThat(shown.path("verb").asText()).isEqualTo("backup");
            assertThat(shown.path("status").asText()).isEqualTo(live.get("status").asText());
            assertThat(shown.get("counts")).as(shown.toPrettyString()).isEqualTo(live.get("counts"));
            for (String t : new String[] {"p50_ms", "p95_ms", "max_ms"}) {
                assertThat(shown.get(t)).as(t).isEqualTo(live.get(t));
            }
            for (String org : new String[] {"acme", "globex"}) {
                JsonNode item = runItem(shown, org);
                assertThat(item.path("outcome").asText()).as(item.toString()).isEqualTo("backed_up");
                assertThat(item.path("status").asText()).as("its own fields are kept").isEqualTo("succeeded");
            }
            assertThat(shown.get("run").get("run_id").asText()).isEqualTo(runId);
        }
    }
}
