package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, On call: "{@code tenantctl runs list} shows runs, abandoned ones with the commands that resume or cancel them";
 * "A rollout failed halfway ... {@code tenantctl migrate-all --resume RUN}".
 *
 * A migrate-all run that was interrupted (its Indexed Job's workers all stopped at once, e.g. a drained node) and then
 * superseded by a newer rollout (the next release's pipeline: an interrupted run does not block a new one) is listed by
 * {@code runs list} and {@code runs show} with the next step {@code tenantctl migrate-all --resume RUN}. Followed, that
 * is refused (exit 2: "came after run ...: working on RUN now would take orgs back to its older manifest"). The hint
 * the tool prints for the run must be one that works — here, ending it with {@code runs cancel}.
 */
class RunsListHintForASupersededRolloutTest {

    @TempDir
    Path dir;

    @Test
    void theNextStepShownForAnInterruptedRolloutThatANewerOneSupersededWorks() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v1 = dir.resolve("v1.json");
            Files.writeString(v1, MigrateAllFixture.V1);
            Path v2 = dir.resolve("v2.json");
            Files.writeString(v2, MigrateAllFixture.V2_ADD);
            CliFixture.ok(f.cli, "provision", "--schema", v1.toString(), "acme", "globex");

            // release N: detached, its only worker stopped by SIGTERM as it joined (a node drained): the run is interrupted
            String old = strictJson(CliFixture.ok(f.cli, "migrate-all", "--schema", v2.toString(), "--detach", "-o", "json")).get("run_id").asText();
            CancelToken sigterm = new CancelToken();
            sigterm.cancel("SIGTERM");
            Cli.Result stopped = f.cli.run(sigterm, "migrate-all", "--join", old, "--no-progress");
            assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(130);
            assertThat(strictJson(CliFixture.ok(f.cli, "runs", "show", old, "-o", "json")).at("/run/status").asText()).isEqualTo("interrupted");

            // release N+1 (one more index) rolls out in a run of its own (the interrupted run does not block it)
            Path v3 = dir.resolve("v3.json");
            Files.writeString(v3, MigrateAllFixture.V2_ADD.replace("{\"name\": \"tenant_1\", \"key\": {\"tenant\": 1}}",
                    "{\"name\": \"tenant_1\", \"key\": {\"tenant\": 1}}, {\"name\": \"role_1\", \"key\": {\"role\": 1}}"));
            assertThat(Files.readString(v3)).contains("role_1");
            CliFixture.ok(f.cli, "migrate-all", "--schema", v3.toString(), "--no-progress");

            // what runs list and runs show tell the operator to do with release N's run
            Cli.Result list = CliFixture.ok(f.cli, "runs", "list");
            List<String> hinted = list.out().lines().filter(l -> l.contains(old) && l.contains("tenantctl "))
                    .map(l -> l.substring(l.indexOf("tenantctl ") + "tenantctl ".length()).replaceAll("\\s+\\(.*$", "").strip()).toList();
            JsonNode show = strictJson(CliFixture.ok(f.cli, "runs", "show", old, "-o", "json"));
            String shown = show.at("/run/next_step").asText(null);
            if (shown == null) {
                return; // no next step offered: nothing to follow
            }
            assertThat(hinted).as("runs list's line for %s:%n%s", old, list.out()).isNotEmpty();
            String command = shown.substring(shown.indexOf("tenantctl ") + "tenantctl ".length()).replaceAll("\\s+\\(.*$", "").strip();
            Cli.Result followed = f.cli.run(command.split("\\s+"));
            assertThat(followed.exitCode()).as("runs show / runs list say the next step for run %s is '%s'; followed literally:%n%s",
                    old, shown, followed).isZero();
        }
    }
}
