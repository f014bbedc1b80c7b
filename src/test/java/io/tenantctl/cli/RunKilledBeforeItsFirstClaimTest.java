package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a chaos soak: a 'rebalance move' killed (kill -9) right after it recorded its run, before its first claim,
 * left the run 'running' for good — runs list gave it no next step, it was not abandoned (its creator had never beaten
 * for it, so it looked like a --detach'ed run waiting for its workers), and every 'rebalance plan' left the org out
 * ("still to be moved by run …: its workers move them"). A run its creator works on beats from its creation: killed
 * at that moment it is abandoned at once (its process, of this host, is gone), with the command that goes on with it,
 * and that command, run as printed, moves the org with every document.
 */
class RunKilledBeforeItsFirstClaimTest {

    @Test
    void aMoveKilledRightAfterRecordingItsRunIsAbandonedAndItsNextStepMovesTheOrg(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 200);
            String from = f.org("acme").get("pool_id").asText();
            String to = from.equals("pool-0") ? "pool-1" : "pool-0";
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));

            // the first claim, once the run is recorded, stalls (its transaction never commits): the moment to kill the process
            TestCatalog.execute(f.catalogUrl, "create function stall_claim() returns trigger language plpgsql as "
                    + "$$ begin perform pg_sleep(120); return new; end $$");
            TestCatalog.execute(f.catalogUrl, "create trigger stall_claim before update on run_items for each row "
                    + "when (old.status = 'pending' and new.status = 'running') execute function stall_claim()");
            Map<String, String> env = new HashMap<>();
            env.put("TENANTCTL_CATALOG_URL", f.catalogUrl);
            env.put("USER", "crash-test");
            Process move = ChildJvm.start(dir, env, Main.class.getName(), "rebalance", "move", "acme", "--to", to, "--freeze-grace", "0");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (!stalled(f.catalogUrl)) {
                assertThat(move.isAlive()).as("the move ended before it could be killed").isTrue();
                assertThat(Instant.now()).as("the move never recorded its run").isBefore(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            move.destroyForcibly();
            assertThat(move.waitFor(30, TimeUnit.SECONDS)).isTrue();
            TestCatalog.execute(f.catalogUrl, "select pg_terminate_backend(pid) from pg_stat_activity where query like '" + CLAIM.replace("'", "''") + "%'");
            TestCatalog.execute(f.catalogUrl, "drop trigger stall_claim on run_items");

            JsonNode run = strictJson(ok(f.cli, "runs", "list", "--verb", "rebalance", "-o", "json")).get("runs").get(0);
            assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("abandoned");
            String next = run.get("next_step").asText();
            assertThat(next).as(run.toString()).startsWith("tenantctl ");
            Cli.Result r = f.cli.run(next.substring("tenantctl ".length()).split("\\s+"));
            assertThat(r.exitCode()).as("the next step '%s', run as printed: %s", next, r).isZero();

            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo(to);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            f.assertHolds("acme", before);
        }
    }

    /** A pattern (LIKE) of a worker's claim of an item (RunRepository.claimOne), whichever statement of it is running. */
    private static final String CLAIM = "%update run_items set status = 'running', claimed_by";

    /** Whether a rebalance run is recorded and its first claim is waiting in the trigger. */
    private static boolean stalled(String url) throws Exception {
        return stalled(url, CLAIM);
    }

    /** Whether a statement starting {@code statement} is waiting (in a stalling trigger): the moment to kill its process. */
    static boolean stalled(String url, String statement) {
        try (Connection c = DriverManager.getConnection(url); PreparedStatement s = c.prepareStatement(
                "select count(*) from pg_stat_activity where query like ? and state = 'active'")) {
            s.setString(1, statement + "%");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
