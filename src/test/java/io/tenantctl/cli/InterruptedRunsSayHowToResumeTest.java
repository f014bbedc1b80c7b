package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing (SIGINT to real processes): the text output of an interrupted backup, rebalance apply/move,
 * provision or verify never named the --resume that goes on, though -o json's {@code next} did and README ("One result
 * shape") says the table prints it as "Resume with:"; only migrate-all printed it. Every interrupted fan-out verb now
 * prints the same line, followed here literally.
 */
class InterruptedRunsSayHowToResumeTest {

    @TempDir
    Path dir;

    @Test
    void anInterruptedBackupSaysResumeWith() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            String resume = interrupted(f.cli, "tenantctl backup", "backup", "--all");
            assertThat(f.cli.run(OnCallNextStepsTest.command(resume)).exitCode()).as(resume).isZero();
        }
    }

    /** One org left not started is said in the singular ("1 org", not "1 org(s)"), as the fan-out summaries say a count of one. */
    @Test
    void oneOrgNotStartedIsSaidInTheSingular() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            CancelToken ctrlC = new CancelToken();
            ctrlC.cancel("SIGINT");
            Cli.Result r = f.cli.run(ctrlC, "backup", "--org", "acme");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            assertThat(r.err()).as(r.toString()).containsPattern("interrupted: 1 org not started\\. Resume with: tenantctl backup --resume \\S+");
        }
    }

    @Test
    void anInterruptedRebalanceMoveAndApplySayResumeWith() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            ok(f.cli, "pools", "drain", "pool-0");
            Path plan = dir.resolve("plan.json");
            java.nio.file.Files.writeString(plan, ok(f.cli, "rebalance", "plan", "-o", "json").out()); // Ctrl-C while planning plans nothing
            String resume = interrupted(f.cli, "tenantctl rebalance apply", "rebalance", "apply", "--plan", plan.toString());
            ok(f.cli, "runs", "cancel", resume.substring(resume.lastIndexOf(' ') + 1)); // acme is free to move again
            interrupted(f.cli, "tenantctl rebalance apply", "rebalance", "move", "acme", "--to", "pool-1");
        }
    }

    @Test
    void anInterruptedProvisionAndVerifySayResumeWith() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            interrupted(f.cli, "tenantctl provision", "provision", "--schema", f.schema.toString(), "acme", "globex");
            f.provision("initech");
            interrupted(f.cli, "tenantctl verify", "verify");
        }
    }

    /** Runs {@code args} stopped by Ctrl-C before any org started: exit 130, "Resume with: COMMAND --resume RUN" naming the run left. */
    private static String interrupted(Cli cli, String command, String... args) {
        CancelToken ctrlC = new CancelToken();
        ctrlC.cancel("SIGINT");
        Cli.Result r = cli.run(ctrlC, args);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
        Matcher m = Pattern.compile("Resume with: (" + Pattern.quote(command) + " --resume (\\S+))").matcher(r.out() + r.err());
        assertThat(m.find()).as("names the --resume of the run: " + r).isTrue();
        JsonNode run = strictJson(ok(cli, "runs", "show", m.group(2), "-o", "json")).get("run");
        assertThat(run.get("status").asText()).isEqualTo("interrupted");
        return m.group(1);
    }
}
