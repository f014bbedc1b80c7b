package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C (or SIGTERM: a CronJob's deadline, a drained node) during {@code verify}: the orgs it had not reached yet were
 * not checked, so what is known about them must stay as it was. An acked finding of such an org must still be acked on
 * the next verify, not come back as "new", unacked, making verify exit 4 and page someone.
 */
class VerifyInterruptKeepsUncheckedFindingsTest {

    @TempDir
    Path dir;

    @Test
    void anOrgVerifyNeverReachedKeepsItsAckedFinding() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.backup("acme");
            f.backup("globex");
            f.db("globex").getCollection("users").dropIndex("email_1");
            JsonNode found = verify(f.cli, 4);
            String id = schemaMissing(found, "globex").get("finding_id").asText();
            ok(f.cli, "verify", "ack", id, "--until", "7d", "--reason", "globex's index is rebuilt by the vendor on Monday");
            assertThat(verify(f.cli, 0).get("problems").asInt()).as("acked: verify is clean").isZero();

            // one org at a time; Ctrl-C comes while acme (checked first) is being checked, so globex is never started
            CancelToken cancel = new CancelToken();
            Cli interrupted = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> name.equals("org_acme")
                    ? HookedPools.beforeEach(db, "listCollectionNames", () -> cancel.cancel("SIGTERM")) : db));
            Cli.Result r = interrupted.run(cancel, "verify", "--per-pool", "1", "--concurrency", "1", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            JsonNode stopped = strictJson(r);
            assertThat(outcome(stopped, "globex")).as("precondition: globex was not reached").isEqualTo("not_started");

            Cli.Result again = f.cli.run("verify", "-o", "json");
            JsonNode next = strictJson(again);
            assertThat(schemaMissing(next, "globex").get("state").asText())
                    .as("globex was not checked by the interrupted verify: its finding was not resolved, the ack still covers it")
                    .isEqualTo("acked");
            assertThat(again.exitCode()).as(again.toString()).isZero();
        }
    }

    /**
     * Found by the 3 a.m. audit: a verify during a pool's outage resolved the findings of the orgs it could not check
     * (their check failed as the pool did not answer), as though their databases had been looked at and found right. Once
     * the pool answered again, globex's acked schema_missing came back "new", unacked, and verify exited 4 and paged
     * someone for a problem already acked. What an org's own check finds now stays as it was when that check failed.
     */
    @Test
    void anOrgWhosePoolDidNotAnswerKeepsItsAckedFinding() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.provisionTier("free", "pool-1", "globex");
            f.backup("acme");
            f.backup("globex");
            f.db("globex").getCollection("users").dropIndex("email_1");
            JsonNode found = verify(f.cli, 4);
            JsonNode finding = schemaMissing(found, "globex");
            String id = finding.get("finding_id").asText();
            ok(f.cli, "verify", "ack", id, "--until", "7d", "--reason", "globex's index is rebuilt by the vendor on Monday");

            Cli silent = f.newCli().decoratePools(real -> HookedPools.onPing(real, poolId -> {
                if (poolId.equals("pool-1")) {
                    throw io.tenantctl.TenantctlException.config("pool pool-1 is unreachable: timed out waiting for the server",
                            new com.mongodb.MongoTimeoutException("timed out waiting for the server"));
                }
            }));
            Cli.Result outage = silent.run("verify", "-o", "json");
            assertThat(outage.exitCode()).as("the pool's silence is a problem: " + outage).isEqualTo(4);
            assertThat(outcome(strictJson(outage), "globex")).as("precondition: globex was not checked " + outage).isEqualTo("failed");

            Cli.Result back = f.cli.run("verify", "-o", "json");
            JsonNode again = schemaMissing(strictJson(back), "globex");
            assertThat(again.get("state").asText()).as("globex's database was not looked at during the outage: the ack still covers it")
                    .isEqualTo("acked");
            assertThat(again.get("first_seen").asText()).isEqualTo(finding.get("first_seen").asText());
            assertThat(back.exitCode()).as(back.toString()).isZero();
        }
    }

    private static JsonNode verify(Cli cli, int expectedExit) {
        Cli.Result r = cli.run("verify", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(expectedExit);
        return strictJson(r);
    }

    private static JsonNode schemaMissing(JsonNode doc, String org) {
        List<JsonNode> out = new ArrayList<>();
        doc.get("findings").forEach(x -> {
            if (x.get("kind").asText().equals("schema_missing") && x.get("org_id").asText().equals(org)) {
                out.add(x);
            }
        });
        assertThat(out).as(doc.toString()).hasSize(1);
        return out.get(0);
    }

    private static String outcome(JsonNode doc, String org) {
        for (JsonNode o : doc.get("orgs")) {
            if (o.get("org_id").asText().equals(org)) {
                return o.get("outcome").asText();
            }
        }
        return null;
    }
}
