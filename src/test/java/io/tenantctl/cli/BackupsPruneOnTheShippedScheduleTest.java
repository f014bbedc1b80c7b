package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/backups-prune-cronjob.yaml's command, run as the CronJob runs it, enforces the tier's retention: the free tier
 * keeps its 2 newest complete backups, so of three the oldest goes, from the catalog and the store, and the output is
 * the one JSON document the pod's log keeps.
 */
class BackupsPruneOnTheShippedScheduleTest {

    @TempDir
    Path dir;

    @Test
    void theShippedPruneJobDeletesWhatTheTierNoLongerKeepsAndNothingElse() throws Exception {
        JsonNode cron = new YAMLMapper().readTree(Path.of("deploy/backups-prune-cronjob.yaml").toFile());
        List<String> args = new ArrayList<>();
        cron.at("/spec/jobTemplate/spec/template/spec/containers/0/args").forEach(a -> args.add(a.asText()));
        assertThat(args).as("the CronJob's command").startsWith("backups", "prune");

        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme"); // tier free: keep_last 2
            f.notes("acme", "a_notes", 10);
            String b1 = f.backup("acme");
            String b2 = f.backup("acme");
            String b3 = f.backup("acme");

            Cli.Result daily = f.cli.run(args.toArray(String[]::new));
            assertThat(daily.exitCode()).as(daily.toString()).isZero();
            JsonNode out = strictJson(daily);
            assertThat(out.get("dry_run").asBoolean()).as("the schedule deletes for real").isFalse();
            assertThat(out.get("deleted").asInt()).isEqualTo(1);

            Map<String, String> left = new LinkedHashMap<>();
            strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups")
                    .forEach(e -> left.put(e.get("backup_id").asText(), e.get("status").asText()));
            assertThat(left).containsOnlyKeys(b2, b3).containsValues("complete");
            assertThat(f.storeDir.resolve("acme").resolve(b1)).doesNotExist();
            assertThat(strictJson(ok(f.cli, "restore", "--org", "acme", "--dry-run", "-o", "json")).get("backup_id").asText())
                    .isEqualTo(b3);
        }
    }
}
