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

    /**
     * Found by probing: a mistyped run id given with --dry-run (or a flag the run keeps) was refused for the flag, "run
     * nope would go on for real; 'tenantctl runs show nope' says what it has left", advice that fails when pasted (no run
     * 'nope'); one of another verb's run the same. The run is looked up first: the refusal says what is wrong with the id.
     */
    @Test
    void aMistypedOrAnotherVerbsRunGivenWithDryRunIsSaidSo() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String run = strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs").get(0).get("run_id").asText();
            for (String[] args : List.of(new String[]{"backup", "--resume", "nope", "--dry-run"},
                    new String[]{"migrate-all", "--join", "nope", "--dry-run"}, new String[]{"backup", "--join", "nope", "--freeze"})) {
                Cli.Result r = f.cli.run(CliFixture.args(List.of(args), List.of("-o", "json")));
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(strictJson(r).at("/error/message").asText()).as(r.toString()).isEqualTo("no run 'nope': see 'tenantctl runs list'");
            }
            Cli.Result other = f.cli.run("migrate-all", "--resume", run, "--dry-run", "-o", "json");
            assertThat(other.exitCode()).as(other.toString()).isEqualTo(2);
            assertThat(strictJson(other).at("/error/message").asText()).as(other.toString()).isEqualTo("run " + run
                    + " is a provision run, not migrate-all: 'tenantctl runs show " + run + "' says what it did and how it goes on");
            // its own verb's run: still refused for the dry run, and its advice runs as pasted
            Cli.Result own = f.cli.run("provision", "--resume", run, "--dry-run");
            assertThat(own.exitCode()).as(own.toString()).isEqualTo(2);
            assertThat(own.err()).contains("--dry-run does not go with --resume");
            CliFixture.followNextStep(f.cli, own.err());
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
