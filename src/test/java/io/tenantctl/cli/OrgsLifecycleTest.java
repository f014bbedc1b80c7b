package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The org lifecycle: suspend and resume (what applications' routing says), set-tier, delete (a final backup first, the
 * database kept) and purge (the database dropped through gc's routine, the org no longer counted on its pool).
 */
class OrgsLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void suspendMakesRoutingSayNotWritableAndResumeUndoesIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");

            JsonNode s = strictJson(ok(f.cli, "orgs", "suspend", "acme", "-o", "json"));
            assertThat(s.get("status_before").asText()).isEqualTo("active");
            assertThat(s.get("status").asText()).isEqualTo("read_only");
            assertThat(routingWritable(f, "acme")).isEqualTo("false");
            assertThat(routingWritable(f, "globex")).as("only the org named").isEqualTo("true");

            Cli.Result again = ok(f.cli, "orgs", "suspend", "acme");
            assertThat(again.out()).contains("already read_only");
            // a signup list re-run with a suspended org in it: unchanged and still suspended, exit 0 (it failed the org)
            JsonNode reprovisioned = strictJson(ok(f.cli, "provision", "acme", "globex", "-o", "json"));
            assertThat(reprovisioned.get("unchanged").asInt()).as(reprovisioned.toString()).isEqualTo(2);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("read_only");
            assertThat(routingWritable(f, "acme")).isEqualTo("false");

            Cli.Result dry = ok(f.cli, "orgs", "resume", "acme", "--dry-run");
            assertThat(dry.out()).contains("dry run");
            assertThat(f.org("acme").get("status").asText()).as("a dry run changes nothing").isEqualTo("read_only");

            ok(f.cli, "orgs", "resume", "acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(routingWritable(f, "acme")).isEqualTo("true");
        }
    }

    @Test
    void suspendIsRefusedNamingTheHolderWhileAnotherOperationHoldsTheOrg() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            sql(f, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) "
                    + "values ('acme', 'other-host/4242/beef', 'other-host', 4242, 'restore', 'R1', now() + interval '5 minutes')");

            Cli.Result r = f.cli.run("orgs", "suspend", "acme", "-o", "json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            JsonNode error = strictJson(r).get("error");
            assertThat(error.get("message").asText()).contains("restore").contains("other-host/4242/beef").contains("R1");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(routingWritable(f, "acme")).isEqualTo("true");
        }
    }

    @Test
    void onlyActiveOrReadOnlyOrgsAreSuspendedOrResumed() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            ok(f.cli, "orgs", "delete", "acme", "--no-backup");

            Cli.Result r = f.cli.run("orgs", "suspend", "acme");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("org acme is deleting").contains("only active or read_only")
                    .contains("'tenantctl orgs resume acme' takes it back");
            assertThat(r.err().strip().lines().count()).as("one line").isEqualTo(1);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
            Cli.Result unknown = f.cli.run("orgs", "suspend", "nosuch", "-o", "json");
            assertThat(unknown.exitCode()).isEqualTo(2);
            assertThat(strictJson(unknown).get("error").get("message").asText()).contains("nosuch");
        }
    }

    /**
     * The wrong org deleted at 3 a.m.: its database is kept until purge, so resume takes it back under its own id, with
     * every document, also those a client with stale routing wrote after the delete; purge then leaves it alone. Once
     * its database is gone (dropped by hand, or purged) resume refuses, nothing changed, and names the way that works.
     */
    @Test
    void resumeTakesADeletingOrgBackWithItsDatabaseUntilPurge() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex", "initech");
            seed(f.db("acme"), 25);
            Cli.Result deleted = ok(f.cli, "orgs", "delete", "acme");
            assertThat(deleted.out()).contains("'tenantctl orgs resume acme' takes it back until then");
            assertThat(ok(f.cli, "orgs", "show", "acme").out()).contains("'tenantctl orgs resume acme' takes the org back");
            // -o json names the undo too, as the text does: the command alone (next_step) and what it does (next_note)
            JsonNode shown = strictJson(ok(f.cli, "orgs", "show", "acme", "-o", "json"));
            assertThat(shown.path("next_step").asText()).as(shown.toString()).isEqualTo("tenantctl orgs resume acme");
            assertThat(shown.path("next_note").asText()).as(shown.toString()).contains("kept until 'tenantctl orgs purge'");
            f.db("acme").getCollection("users").insertOne(new Document("_id", 1000).append("email", "late@x"));
            var kept = BackupFixture.contents(f.db("acme"));

            sql(f, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) "
                    + "values ('acme', 'other-host/4242/beef', 'other-host', 4242, 'purge', null, now() + interval '5 minutes')");
            Cli.Result held = f.cli.run("orgs", "resume", "acme");
            assertThat(held.exitCode()).as("a purge at work on it is waited for or refused, never raced: %s", held).isEqualTo(3);
            assertThat(held.err()).contains("purge").contains("other-host/4242/beef");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
            sql(f, "delete from org_leases where org_id = 'acme'");

            Cli.Result dry = ok(f.cli, "orgs", "resume", "acme", "--dry-run");
            assertThat(dry.out()).contains("would be resumed (deleting -> active)");
            assertThat(f.org("acme").get("status").asText()).as("a dry run changes nothing").isEqualTo("deleting");

            JsonNode r = strictJson(ok(f.cli, "orgs", "resume", "acme", "-o", "json"));
            assertThat(r.get("status_before").asText()).isEqualTo("deleting");
            assertThat(r.get("status").asText()).isEqualTo("active");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            assertThat(routingWritable(f, "acme")).isEqualTo("true");
            JsonNode purged = strictJson(ok(f.cli, "orgs", "purge", "--older-than", "0", "-o", "json"));
            assertThat(purged.get("orgs")).as(purged.toString()).isEmpty();
            assertThat(BackupFixture.contents(f.db("acme"))).as("every document, the late write too").isEqualTo(kept);
            f.assertClean("acme");

            ok(f.cli, "orgs", "delete", "globex");
            f.db("globex").drop();
            Cli.Result gone = f.cli.run("orgs", "resume", "globex");
            assertThat(gone.exitCode()).as(gone.toString()).isEqualTo(2);
            assertThat(gone.err()).contains("its database org_globex is gone from pool pool-0")
                    .contains("tenantctl restore --org globex --to-org NEW_ID");
            assertThat(f.org("globex").get("status").asText()).isEqualTo("deleting");

            ok(f.cli, "orgs", "delete", "initech");
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            Cli.Result afterPurge = f.cli.run("orgs", "resume", "initech");
            assertThat(afterPurge.exitCode()).as(afterPurge.toString()).isEqualTo(2);
            assertThat(afterPurge.err()).contains("org initech is deleted").contains("purge has dropped its database")
                    .contains("tenantctl restore --org initech --to-org NEW_ID");
        }
    }

    /**
     * An org suspended on purpose (unpaid, on legal hold) and then deleted: undoing the delete puts the suspension back
     * instead of making the org writable, says so, and names the resume that makes it writable. A row deleted before
     * tenantctl recorded the status comes back active, as it did then.
     */
    @Test
    void resumeOfADeletedSuspendedOrgPutsItsSuspensionBack() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex", "initech");
            seed(f.db("acme"), 25);
            ok(f.cli, "orgs", "suspend", "acme");
            ok(f.cli, "orgs", "delete", "acme");
            var kept = BackupFixture.contents(f.db("acme"));

            Cli.Result dry = ok(f.cli, "orgs", "resume", "acme", "--dry-run");
            assertThat(dry.out()).contains("would be resumed (deleting -> read_only)");
            assertThat(dry.err()).contains("org acme was suspended (read_only) when it was deleted and would be again; "
                    + "to make it writable: tenantctl orgs resume acme");
            assertThat(f.org("acme").get("status").asText()).as("a dry run changes nothing").isEqualTo("deleting");

            JsonNode r = strictJson(ok(f.cli, "orgs", "resume", "acme", "-o", "json"));
            assertThat(r.get("status_before").asText()).isEqualTo("deleting");
            assertThat(r.get("status").asText()).isEqualTo("read_only");
            assertThat(r.get("next").asText()).isEqualTo("tenantctl orgs resume acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("read_only");
            assertThat(routingWritable(f, "acme")).as("still suspended: not writable").isEqualTo("false");
            assertThat(BackupFixture.contents(f.db("acme"))).isEqualTo(kept);
            f.assertClean("acme");
            Cli.Result writable = ok(f.cli, "orgs", "resume", "acme");
            assertThat(writable.out()).contains("org acme resumed (read_only -> active)");
            assertThat(routingWritable(f, "acme")).isEqualTo("true");

            ok(f.cli, "orgs", "suspend", "globex");
            ok(f.cli, "orgs", "delete", "globex", "--no-backup");
            Cli.Result noBackup = ok(f.cli, "orgs", "resume", "globex");
            assertThat(noBackup.out()).contains("org globex resumed (deleting -> read_only)");
            assertThat(f.org("globex").get("status").asText()).isEqualTo("read_only");

            ok(f.cli, "orgs", "suspend", "initech");
            ok(f.cli, "orgs", "delete", "initech", "--no-backup");
            sql(f, "update orgs set status_before_delete = null where org_id = 'initech'"); // deleted by an older tenantctl
            assertThat(ok(f.cli, "orgs", "resume", "initech").out()).contains("org initech resumed (deleting -> active)");
            assertThat(routingWritable(f, "initech")).isEqualTo("true");
        }
    }

    /**
     * A delete that dies after its freeze leaves the org read_only (README: run the delete again). The delete run again
     * found read_only and recorded it as the status to put back, so undoing it claimed a suspension that never was. The
     * freeze records that the org was active; an operator who suspends such an org on purpose makes it a suspension.
     */
    @Test
    void aDeleteThatDiedAfterItsFreezeIsUndoneToActiveUnlessSuspendedSince() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            for (String org : new String[]{"acme", "globex"}) {
                java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean(true);
                // dies as a kill -9 would, at its first look at the frozen database: nothing after the freeze runs
                Cli dying = f.newCli().decoratePools(real -> HookedPools.onDatabase(real, (name, db) -> name.equals("org_" + org)
                        ? HookedPools.beforeEach(db, "listCollectionNames", () -> {
                            if (armed.compareAndSet(true, false)) {
                                throw new Error("killed");
                            }
                        }) : db));
                assertThatThrownBy(() -> dying.run("orgs", "delete", org)).hasMessage("killed");
                assertThat(f.org(org).get("status").asText()).as("left frozen").isEqualTo("read_only");
            }
            ok(f.cli, "orgs", "suspend", "globex"); // already read_only: now on purpose

            for (String org : new String[]{"acme", "globex"}) {
                ok(f.cli, "orgs", "delete", org);
            }
            Cli.Result acme = ok(f.cli, "orgs", "resume", "acme");
            assertThat(acme.out()).as(acme.toString()).contains("org acme resumed (deleting -> active)");
            assertThat(acme.err()).doesNotContain("suspended");
            assertThat(routingWritable(f, "acme")).isEqualTo("true");
            assertThat(ok(f.cli, "orgs", "resume", "globex").out()).contains("org globex resumed (deleting -> read_only)");
        }
    }

    @Test
    void setTierIsValidatedAndRecorded() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");

            Cli.Result bad = f.cli.run("orgs", "set-tier", "acme", "Gold!");
            assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(2);
            assertThat(bad.err()).contains("Gold!");
            ok(f.cli, "orgs", "set-tier", "acme", "enterprise", "--dry-run");
            assertThat(f.org("acme").get("tier").asText()).isEqualTo("free");

            JsonNode r = strictJson(ok(f.cli, "orgs", "set-tier", "acme", "enterprise", "-o", "json"));

            assertThat(r.get("tier_before").asText()).isEqualTo("free");
            assertThat(f.org("acme").get("tier").asText()).isEqualTo("enterprise");
        }
    }

    @Test
    void deleteTakesAFinalBackupThenMarksTheOrgDeletingAndKeepsItsDatabase() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            seed(f.db("acme"), 25);
            var before = BackupFixture.contents(f.db("acme"));

            JsonNode dry = strictJson(ok(f.cli, "orgs", "delete", "acme", "--dry-run", "-o", "json"));
            assertThat(dry.get("dry_run").asBoolean()).isTrue();
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");

            JsonNode r = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json"));

            String backupId = r.get("backup_id").asText();
            assertThat(r.get("status").asText()).isEqualTo("deleting");
            assertThat(r.get("deleted_at").isNull()).isFalse();
            JsonNode backup = strictJson(ok(f.cli, "backups", "show", backupId, "-o", "json"));
            assertThat(backup.toString()).contains("complete");
            assertThat(f.storeDir.resolve("acme").resolve(backupId).resolve("manifest.json")).exists();
            // the final backup holds every document: restore it into a new org and compare
            ok(f.cli, "restore", "--org", "acme", "--backup", backupId, "--to-org", "acme-copy");
            assertThat(BackupFixture.contents(f.db("acme-copy"))).isEqualTo(before);
            // end state: deleting, out of routing, database kept as it was
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
            assertThat(routingWritable(f, "acme")).as("a deleting org is not routed").isNull();
            assertThat(f.databaseNames("pool-0")).contains("org_acme");
            assertThat(BackupFixture.contents(f.database("pool-0", "org_acme"))).isEqualTo(before);
        }
    }

    @Test
    void deleteWithoutAStoreIsRefusedUnlessNoBackupIsGiven() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            Cli noStore = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test"));

            Cli.Result refused = noStore.run("orgs", "delete", "acme", "-o", "json");

            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
            assertThat(strictJson(refused).get("error").get("message").asText()).contains("TENANTCTL_STORE").contains("--no-backup");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");

            ok(noStore, "orgs", "delete", "acme", "--no-backup");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
            assertThat(f.databaseNames("pool-0")).contains("org_acme");
        }
    }

    @Test
    void aFailedFinalBackupRefusesTheDeleteAndPutsTheOrgBack() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            seed(f.db("acme"), 5);
            var before = BackupFixture.contents(f.db("acme"));
            Cli failing = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test", "TENANTCTL_STORE",
                    f.storeDir.toUri().toString())).decoratePools(OrgsLifecycleTest::listingFails);

            Cli.Result r = failing.run("orgs", "delete", "acme");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).contains("final backup of org acme failed").contains("nothing deleted").contains("disk on fire");
            assertThat(f.org("acme").get("status").asText()).as("set back from read_only").isEqualTo("active");
            assertThat(routingWritable(f, "acme")).isEqualTo("true");
            f.assertHolds("acme", before);
        }
    }

    @Test
    void purgeDropsOnlyOrgsDeletedLongerAgoThroughGcAndFreesTheirPlace() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("old", "recent", "keeper");
            seed(f.db("keeper"), 3);
            ok(f.cli, "orgs", "delete", "old");
            ok(f.cli, "orgs", "delete", "recent");
            sql(f, "update orgs set deleted_at = now() - interval '40 days' where org_id = 'old'");
            assertThat(strictJson(ok(f.cli, "pools", "show", "pool-0", "-o", "json")).get("orgs").asInt())
                    .as("deleting orgs still take their place").isEqualTo(3);
            // rebalance gc never drops a deleting org's database: its pointer still protects it
            ok(f.cli, "rebalance", "gc", "--older-than", "0");
            assertThat(f.databaseNames("pool-0")).contains("org_old", "org_recent");

            JsonNode dry = strictJson(ok(f.cli, "orgs", "purge", "--dry-run", "-o", "json"));
            assertThat(dry.get("orgs")).hasSize(1);
            assertThat(dry.get("orgs").get(0).get("action").asText()).isEqualTo("would_drop");
            assertThat(f.databaseNames("pool-0")).contains("org_old");

            JsonNode r = strictJson(ok(f.cli, "orgs", "purge", "-o", "json")); // default: older than 30 days

            assertThat(r.get("orgs")).hasSize(1);
            assertThat(r.get("orgs").get(0).get("org_id").asText()).isEqualTo("old");
            assertThat(r.get("orgs").get(0).get("action").asText()).isEqualTo("dropped");
            assertThat(f.org("old").get("status").asText()).isEqualTo("deleted");
            assertThat(f.org("recent").get("status").asText()).isEqualTo("deleting");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_old").contains("org_recent", "org_keeper");
            assertThat(strictJson(ok(f.cli, "pools", "show", "pool-0", "-o", "json")).get("orgs").asInt())
                    .as("a deleted org no longer counts against capacity").isEqualTo(2);
            assertThat(count(f, "select count(*) from retired_databases")).as("nothing left for gc").isZero();

            ok(f.cli, "orgs", "purge", "--older-than", "0");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_recent").contains("org_keeper");
            assertThat(f.org("recent").get("status").asText()).isEqualTo("deleted");
            f.assertHolds("keeper", BackupFixture.contents(f.db("keeper")));
            assertThat(f.db("keeper").getCollection("users").countDocuments()).isEqualTo(3);
        }
    }

    @Test
    void purgeSkipsAnOrgSomeoneHoldsAndDropsItOnTheNextRun() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            ok(f.cli, "orgs", "delete", "acme", "--no-backup");
            sql(f, "insert into org_leases (org_id, holder, host, pid, operation, lease_until) "
                    + "values ('acme', 'other-host/1/cafe', 'other-host', 1, 'backup', now() + interval '5 minutes')");

            Cli.Result busy = f.cli.run("orgs", "purge", "--older-than", "0", "-o", "json");

            assertThat(busy.exitCode()).as(busy.toString()).isEqualTo(1);
            assertThat(strictJson(busy).get("orgs").get(0).get("action").asText()).isEqualTo("skipped");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
            assertThat(f.databaseNames("pool-0")).contains("org_acme");

            sql(f, "delete from org_leases where org_id = 'acme'");
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleted");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void seed(MongoDatabase db, int n) {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new Document("_id", i).append("email", "u" + i + "@x").append("tenant", "t").append("role", "r"));
        }
        db.getCollection("users").insertMany(docs);
    }

    /** The routing view's writable column for the org ("true"/"false"), or null when the view does not list it. */
    private static String routingWritable(BackupFixture f, String orgId) throws SQLException {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select writable from routing where org_id = '" + orgId + "'")) {
            return rs.next() ? String.valueOf(rs.getBoolean(1)) : null;
        }
    }

    private static void sql(BackupFixture f, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(BackupFixture f, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Pools whose org databases cannot list their collections: a backup of any org fails. */
    private static PoolConnector listingFails(PoolConnector real) {
        return HookedPools.onDatabase(real, (name, db) -> name.startsWith("org_")
                ? HookedPools.failing(db, "listCollection", 13, "disk on fire (test)") : db);
    }
}
