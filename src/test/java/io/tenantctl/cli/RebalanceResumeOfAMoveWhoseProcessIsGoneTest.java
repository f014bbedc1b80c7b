package io.tenantctl.cli;

import io.tenantctl.ops.run.Worker;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static io.tenantctl.cli.CliFixture.deadPid;
import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A move's process killed (kill -9) on this host, its lease still live for up to a minute: {@code rebalance resume} said
 * "in progress … left to it" and the org stayed frozen until the lease ran out, though its dry run said "would be rolled
 * back". A holder of this host whose process is gone is not live (as --resume treats a run's claims): the move is rolled
 * back at once. A holder that is alive (another host, or a live process) is still left to it, and the dry run says so.
 */
class RebalanceResumeOfAMoveWhoseProcessIsGoneTest {

    @TempDir
    Path dir;

    @Test
    void aMoveWhoseProcessOnThisHostIsGoneIsRolledBackNow() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 5);
            f.database("pool-1", "org_acme__m1").getCollection("notes").insertOne(new Document("_id", 1)); // its half copy
            sql(f, "update orgs set status = 'read_only' where org_id in ('acme', 'globex')");
            sql(f, "insert into moves (move_id, org_id, from_pool, from_database, to_pool, to_database, state, prior_status) values "
                    + "('m-1', 'acme', 'pool-0', 'org_acme', 'pool-1', 'org_acme__m1', 'copying', 'active'), "
                    + "('m-2', 'globex', 'pool-0', 'org_globex', 'pool-1', 'org_globex__m2', 'copying', 'active')");
            String dead = Worker.current("test").host() + "/" + deadPid() + "/dead";
            sql(f, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values "
                    + "('acme', '" + dead + "', '" + Worker.current("test").host() + "', " + dead.split("/")[1] + ", 'move', null, now() + interval '5 minutes'), "
                    + "('globex', 'other-host/4242/beef', 'other-host', 4242, 'move', null, now() + interval '5 minutes')");

            Cli.Result dry = ok(f.cli, "rebalance", "resume", "--dry-run");
            assertThat(dry.out()).as(dry.toString()).contains("move m-1 of org acme (copying) would be rolled back")
                    .contains("move m-2 of org globex (copying) is in progress").contains("would be left to it");

            Cli.Result r = ok(f.cli, "rebalance", "resume");
            assertThat(r.out()).as(r.toString()).doesNotContain("m-1 of org acme is in progress").contains("m-2 of org globex is in progress");
            assertThat(f.org("acme").get("status").asText()).as("unfrozen at once: %s", r).isEqualTo("active");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-0");
            assertThat(f.databaseNames("pool-1")).as("its half copy dropped").doesNotContain("org_acme__m1");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(5);
            assertThat(f.org("globex").get("status").asText()).as("a live holder's move is left to it").isEqualTo("read_only");
        }
    }

    /**
     * Found by a probing helper: after a kill -9 of 'rebalance move', orgs show said the dead process's lease was expired
     * ("the next operation on the org recovers it"), but 'rebalance move' (and its dry run) refused the org as busy,
     * "wait for it", until the lease ran out a minute later. Like every operation here, it takes the org over at once.
     */
    @Test
    void aMoveOfAnOrgADeadProcessOfThisHostHeldIsNotRefusedAsBusy() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String dead = Worker.current("test").host() + "/" + deadPid() + "/dead";
            sql(f, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values "
                    + "('acme', '" + dead + "', '" + Worker.current("test").host() + "', " + dead.split("/")[1] + ", 'move', null, now() + interval '5 minutes')");
            assertThat(ok(f.cli, "orgs", "show", "acme").out()).contains("expired: the next operation on the org recovers it");

            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--dry-run");
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            assertThat(f.org("acme").get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(5);
        }
    }

    private static void sql(BackupFixture f, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
