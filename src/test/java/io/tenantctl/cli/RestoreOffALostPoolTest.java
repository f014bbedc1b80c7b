package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by the lost-pool drill: an org's pool is gone for good (server and databases); 'restore --org ORG' tries the
 * org's own pool and said only "does not answer — see 'tenantctl pools stats P'", which a dead server never mends. The
 * refusal now names the restore that works, onto another pool from the same backup, and following it restores the org;
 * verify's pool_unreachable and the rebalance plan's note (a move reads its source: none can leave a dead pool) name it too.
 */
class RestoreOffALostPoolTest {

    @TempDir
    Path dir;

    @Test
    void aRestoreWhoseOwnPoolIsGoneNamesTheRestoreOntoAnotherPool() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            String backupId = f.backup("acme");
            ok(f.cli, "pools", "set-uri", "pool-0", "--uri", "mongodb://127.0.0.1:9", "--force", "--allow-unreachable");

            // verify and the plan, the first things run on call, name that way too, not only "check the pool's FerretDB"
            // its one org said as one (it said "bring its 1 org back on other pools from their newest backups ... for each org")
            String bulk = "bring its 1 org back on another pool from its newest backup: 'tenantctl restore --org ORG --target-pool POOL' "
                    + "for the org 'tenantctl orgs list --pool pool-0' lists";
            Cli.Result verify = f.cli.run("verify");
            assertThat(verify.exitCode()).as("%s", verify).isEqualTo(4);
            assertThat(verify.out()).as("%s", verify).contains("pool_unreachable").contains(bulk);
            Cli.Result plan = ok(f.cli, "rebalance", "plan");
            assertThat(plan.out() + plan.err()).as("%s", plan).contains(bulk);

            Cli.Result refused = f.cli.run("restore", "--org", "acme", "--dry-run");
            assertThat(refused.exitCode()).as("%s", refused).isEqualTo(3);
            String step = "tenantctl restore --org acme --backup " + backupId + " --target-pool pool-1";
            assertThat(refused.err()).as("%s", refused).contains(step);

            ok(f.cli, Arrays.copyOfRange(step.split(" "), 1, step.split(" ").length));
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(3);
        }
    }
    /**
     * Found by the on-call audit: an in-place restore of an org whose pool does not answer failed 'unexpected StepFailure:
     * listDatabases: …' (exit 1, "run with -v"), after recording a run, and its --dry-run planned the drop as fine (exit 0).
     * Both now refuse as the fresh restore does: exit 3 naming the pool and the restore onto another pool; nothing recorded.
     */
    @Test
    void anInPlaceRestoreWhoseOwnPoolDoesNotAnswerSaysSoAsAFreshOneDoes() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 3);
            String backupId = f.backup("acme");
            ok(f.cli, "pools", "set-uri", "pool-0", "--uri", "mongodb://127.0.0.1:9", "--force", "--allow-unreachable");
            String step = "tenantctl restore --org acme --backup " + backupId + " --target-pool pool-1";

            for (boolean dryRun : new boolean[]{true, false}) {
                java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("restore", "--org", "acme", "--in-place",
                        "--drop-existing", "-o", "json"));
                if (dryRun) {
                    args.add("--dry-run");
                }
                Cli.Result r = f.cli.run(args.toArray(String[]::new));
                assertThat(r.exitCode()).as("dry run %s: %s", dryRun, r).isEqualTo(3);
                com.fasterxml.jackson.databind.JsonNode error = CliFixture.strictJson(r).get("error");
                assertThat(error.get("code").asInt()).isEqualTo(3);
                assertThat(error.get("message").asText()).as("%s", r).contains("pool pool-0").contains("does not answer").contains(step)
                        .doesNotContain("unexpected");
            }
            assertThat(CliFixture.count(f.catalogUrl, "select count(*) from runs where verb = 'restore'")).isZero();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(3);
        }
    }
}
