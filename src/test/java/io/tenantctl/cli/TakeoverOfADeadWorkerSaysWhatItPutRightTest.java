package io.tenantctl.cli;

import io.tenantctl.ops.run.Worker;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.deadPid;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a worker killed (kill -9) while a {@code backup --freeze} held its org frozen, or while a
 * move was mid-copy; {@code backup --resume RUN} (or {@code --join RUN}) and {@code rebalance apply --resume RUN} took the
 * org over and put it right — thawed it, rolled the move back — but said nothing of it on stderr, where a fresh command
 * finding the same leftovers says so in one line. The takeover says it in the same words; stdout stays one JSON document.
 */
@Timeout(180)
class TakeoverOfADeadWorkerSaysWhatItPutRightTest {

    @TempDir
    Path dir;

    @Test
    void aBackupResumeThatThawsADeadFreezeSaysSo() throws Exception {
        assertBackupTakeoverSaysSo("--resume");
    }

    @Test
    void aBackupJoinThatThawsADeadFreezeSaysSo() throws Exception {
        assertBackupTakeoverSaysSo("--join");
    }

    private void assertBackupTakeoverSaysSo(String how) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme", "--freeze", "--detach", "-o", "json")).get("run_id").asText();
            // what kill -9 of its worker mid-copy leaves: acme frozen under the dead process's lease and claim — live, of a
            // process of this host that is gone, for --resume; a minute later, run out, for --join (which waits for a claim)
            boolean resume = how.equals("--resume");
            String host = resume ? Worker.current("test").host() : "worker-7";
            long pid = resume ? deadPid() : 4242;
            String dead = host + "/" + pid + "/dead";
            String until = resume ? "now() + interval '5 minutes'" : "now() - interval '1 second'";
            TestCatalog.execute(f.catalogUrl, "update runs set heartbeat_at = now() - interval '10 minutes' where run_id = '" + runId + "'");
            TestCatalog.execute(f.catalogUrl, "update run_items set status = 'running', claimed_by = '" + dead
                    + "', lease_until = " + until + " where run_id = '" + runId + "'");
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'read_only', version = version + 1 where org_id = 'acme'");
            TestCatalog.execute(f.catalogUrl, "insert into org_leases (org_id, holder, host, pid, operation, run_id, state, lease_until) "
                    + "values ('acme', '" + dead + "', '" + host + "', " + pid + ", 'backup', '" + runId
                    + "', cast('{\"frozen_from\": \"active\"}' as jsonb), " + until + ")");

            Cli.Result r = f.cli.run("backup", how, runId, "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(strictJson(r).get("backed_up").asInt()).as(r.toString()).isEqualTo(1);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(r.err()).as("stderr of the takeover: %s", r)
                    .contains("org acme was left read_only by a backup --freeze that died: set back to active");
        }
    }

    @Test
    void aRebalanceApplyResumeThatRollsBackADeadMoveSaysSo() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            Path plan = dir.resolve("plan.json");
            Files.writeString(plan, "{\"moves\": [{\"org_id\": \"acme\", \"from_pool\": \"pool-0\", \"to_pool\": \"pool-1\"}]}");
            String runId = strictJson(ok(f.cli, "rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0", "--detach",
                    "-o", "json")).get("run_id").asText();
            // what kill -9 of its worker mid-copy leaves: a half copy on pool-1, acme frozen, the dead process's lease and claim
            f.database("pool-1", "org_acme__m1").getCollection("notes").insertOne(new org.bson.Document("_id", 1));
            String host = Worker.current("test").host();
            long pid = deadPid();
            String dead = host + "/" + pid + "/dead";
            TestCatalog.execute(f.catalogUrl, "update run_items set status = 'running', claimed_by = '" + dead
                    + "', lease_until = now() + interval '5 minutes' where run_id = '" + runId + "'");
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'read_only', version = version + 1 where org_id = 'acme'");
            TestCatalog.execute(f.catalogUrl, "insert into moves (move_id, org_id, from_pool, from_database, to_pool, to_database, state, "
                    + "prior_status, run_id) values ('m-1', 'acme', 'pool-0', 'org_acme', 'pool-1', 'org_acme__m1', 'copying', 'active', '"
                    + runId + "')");
            TestCatalog.execute(f.catalogUrl, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values "
                    + "('acme', '" + dead + "', '" + host + "', " + pid + ", 'move', '" + runId + "', now() + interval '5 minutes')");

            Cli.Result r = f.cli.run("rebalance", "apply", "--resume", runId, "-o", "json");

            strictJson(r);
            assertThat(f.databaseNames("pool-1")).as("its half copy dropped").doesNotContain("org_acme__m1");
            assertThat(r.err()).as("stderr of the takeover: %s", r).contains("move m-1 of org acme died while copying, rolled back");
        }
    }
}
