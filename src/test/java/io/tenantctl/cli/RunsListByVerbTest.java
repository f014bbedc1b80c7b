package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Which manifest did the last rollout apply?" (what resume's and restore's hints are about) meant reading past every
 * nightly backup and verify in 'runs list'. {@code --verb} lists one verb's runs; a verb no run is recorded by is refused
 * naming those that are, not answered with an empty list.
 */
class RunsListByVerbTest {

    @TempDir
    Path dir;

    @Test
    void runsListShowsOnlyTheVerbAsked() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            ok(f.cli, "migrate-all", "--schema", f.schema.toString(), "--force");
            f.backup("acme");

            assertThat(verbs(f.cli, "runs", "list", "--verb", "migrate-all", "-o", "json")).containsExactly("migrate-all");
            assertThat(verbs(f.cli, "runs", "list", "--verb", "backup", "-o", "json")).containsExactly("backup", "backup");
            assertThat(verbs(f.cli, "runs", "list", "--verb", "backup", "--limit", "1", "-o", "json")).containsExactly("backup");
            assertThat(verbs(f.cli, "runs", "list", "-o", "json")).containsExactly("backup", "migrate-all", "backup", "provision");

            Cli.Result typo = f.cli.run("runs", "list", "--verb", "migrate", "-o", "json");
            assertThat(typo.exitCode()).as(typo.toString()).isEqualTo(2);
            assertThat(strictJson(typo).at("/error/message").asText())
                    .isEqualTo("--verb migrate: runs are recorded by provision, migrate-all, backup, restore, rebalance, verify");
        }
    }

    /** Found by probing: "run R is a provision run, not migrate-all" said what was wrong, not where to look next. */
    @Test
    void aRunOfAnotherVerbNamedWithJoinOrResumeSaysWhereToLook() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String run = strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs").get(0).get("run_id").asText();
            for (String how : List.of("--join", "--resume")) {
                Cli.Result r = f.cli.run("migrate-all", how, run, "-o", "json");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(strictJson(r).at("/error/message").asText()).as(r.toString()).isEqualTo("run " + run
                        + " is a provision run, not migrate-all: 'tenantctl runs show " + run + "' says what it did and how it goes on");
            }
        }
    }

    private static List<String> verbs(Cli cli, String... args) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : strictJson(ok(cli, args)).get("runs")) {
            out.add(r.get("verb").asText());
        }
        return out;
    }
}
