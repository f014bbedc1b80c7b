package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing (a second Ctrl-C quits a restore at once): the restore's run stayed "running" in 'runs list', with no
 * next step, for good, though README ("Stopping") says a run whose workers were processes of this host that are gone
 * is shown abandoned at once with the command to continue — for a restore, the restore to run again. A restore runs
 * outside the run engine and never recorded its worker on its run, so nothing could judge it gone.
 */
class AKilledRestoresRunIsAbandonedTest {

    @Test
    void aRestoreKilledOnThisHostIsListedAbandonedWithTheRestoreToRunAgain(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", 20_000);
            String backupId = f.backup("acme");
            String fresh = "org_acme__r" + backupId.substring(0, 8) + backupId.substring(9, 15) + backupId.substring(17);
            RestoreCrashTest.killRestoreOnceCopying(f, dir, fresh, "--org", "acme", "--backup", backupId);

            JsonNode restoreRun = null;
            for (JsonNode r : strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs")) {
                if (r.get("verb").asText().equals("restore")) {
                    restoreRun = r;
                }
            }
            assertThat(restoreRun).isNotNull();
            assertThat(restoreRun.get("status").asText()).as(restoreRun.toString()).isEqualTo("abandoned");
            String again = "tenantctl restore --org acme --backup " + backupId;
            assertThat(restoreRun.get("next_step").asText(null)).as(restoreRun.toString()).isEqualTo(again);
            assertThat(ok(f.cli, "orgs", "show", "acme").out()).as("the step orgs show gives the org").contains(again);

            ok(f.cli, OnCallNextStepsTest.command(again));
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /**
     * Found in review: a restore recorded its run with no worker beating for it until it had started its org, so one
     * killed in between left the run 'running' for good — runs show gave it no next step, and verify said nothing of it
     * (until --stuck-after, and then only 'runs cancel'). Its run beats from its creation now, as every run its creator
     * works on: killed at that moment it is abandoned at once, with the restore to run again, which restores the org.
     */
    @Test
    void aRestoreKilledRightAfterRecordingItsRunIsAbandonedAndItsNextStepRestoresTheOrg(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String backupId = f.backup("acme");
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            f.notes("acme", "later", 5); // written after the backup: the restore takes the org back to it

            killAtItsItemStart(f, dir, "--org", "acme", "--backup", backupId);

            JsonNode listed = strictJson(ok(f.cli, "runs", "list", "--verb", "restore", "-o", "json")).get("runs").get(0);
            String runId = listed.get("run_id").asText();
            assertThat(listed.get("status").asText()).as(listed.toString()).isEqualTo("abandoned");
            JsonNode shown = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(shown.get("status").asText()).as(shown.toString()).isEqualTo("abandoned");
            String next = shown.get("next_step").asText();
            assertThat(next).as(shown.toString()).isEqualTo("tenantctl restore --org acme --backup " + backupId)
                    .isEqualTo(listed.get("next_step").asText());
            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            assertThat(findings(strictJson(v), "run_abandoned")).as(v.toString()).singleElement()
                    .satisfies(x -> assertThat(x.get("fix").asText()).isEqualTo(next));

            Cli.Result r = f.cli.run(OnCallNextStepsTest.command(next));
            assertThat(r.exitCode()).as("the next step '%s', run as printed: %s", next, r).isZero();
            f.assertHolds("acme", backedUp);
            assertThat(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText())
                    .as("the dead restore's run, closed by the next").isEqualTo("failed");
            Cli.Result clean = f.cli.run("verify", "-o", "json");
            assertThat(findings(strictJson(clean), "run_abandoned")).as(clean.toString()).isEmpty();
        }
    }

    /**
     * Found in review: an in-place restore killed at the same moment (before it claimed its org) got no next step at all
     * — runs show none, verify's run_abandoned no fix — since an in-place one stood only while its org was restoring. The
     * org never left its own data and stays writable; the step is the restore into a fresh database, which keeps that
     * data (retired), not the in-place one that would drop what was written since. Followed, it restores the org.
     */
    @Test
    void anInPlaceRestoreKilledBeforeItClaimedItsOrgGetsTheRestoreThatKeepsWhatWasWrittenSince(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String backupId = f.backup("acme");
            Map<String, List<RawBsonDocument>> backedUp = BackupFixture.contents(f.db("acme"));
            f.notes("acme", "later", 5);
            String before = f.org("acme").get("database_name").asText();

            killAtItsItemStart(f, dir, "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");
            assertThat(f.org("acme").get("status").asText()).as("never claimed").isEqualTo("active");

            JsonNode listed = strictJson(ok(f.cli, "runs", "list", "--verb", "restore", "-o", "json")).get("runs").get(0);
            String runId = listed.get("run_id").asText();
            JsonNode shown = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run");
            assertThat(shown.get("status").asText()).as(shown.toString()).isEqualTo("abandoned");
            String next = shown.get("next_step").asText(null);
            assertThat(next).as(shown.toString()).isEqualTo("tenantctl restore --org acme --backup " + backupId)
                    .isEqualTo(listed.get("next_step").asText(null));
            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(findings(strictJson(v), "run_abandoned")).as(v.toString()).singleElement()
                    .satisfies(x -> assertThat(x.get("fix").asText(null)).isEqualTo(next));

            CliFixture.followNextStep(f.cli, next);
            f.assertHolds("acme", backedUp);
            assertThat(f.database("pool-0", before).getCollection("later").countDocuments()).as("what was written since, kept").isEqualTo(5);
            assertThat(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText()).isEqualTo("failed");
            Cli.Result clean = f.cli.run("verify", "-o", "json");
            assertThat(findings(strictJson(clean), "run_abandoned")).as(clean.toString()).isEmpty();
        }
    }

    /**
     * Found in review: a restore whose item start failed (the catalog gone for a moment) left its run running, shown
     * abandoned a lease later, instead of closing it failed with the error as any other failure of the restore does.
     */
    @Test
    void aRestoreWhoseItemStartFailsClosesItsRunFailed(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String backupId = f.backup("acme");
            TestCatalog.execute(f.catalogUrl, "create sequence item_start_fails");
            TestCatalog.execute(f.catalogUrl, "create function item_start_fails() returns trigger language plpgsql as "
                    + "$$ begin if nextval('item_start_fails') = 1 then raise exception 'the catalog went away (test)'; end if; "
                    + "return new; end $$");
            TestCatalog.execute(f.catalogUrl, "create trigger item_start_fails before update of status on run_items for each row "
                    + "when (old.status = 'pending' and new.status = 'running') execute function item_start_fails()");

            Cli.Result r = f.cli.run("restore", "--org", "acme", "--backup", backupId);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err().strip()).as(r.toString()).doesNotContain("\n").startsWith("error: restore of backup " + backupId + " failed: ")
                    .contains("the catalog went away (test)");
            JsonNode run = strictJson(ok(f.cli, "runs", "list", "--verb", "restore", "-o", "json")).get("runs").get(0);
            JsonNode shown = strictJson(ok(f.cli, "runs", "show", run.get("run_id").asText(), "-o", "json"));
            assertThat(shown.get("run").get("status").asText()).as(shown.toString()).isEqualTo("failed");
            assertThat(shown.toString()).as("its item's error").contains("the catalog went away (test)");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
        }
    }

    /**
     * Found in review: a restore killed after it recorded its state on the org's lease but before it claimed the org
     * left its run abandoned for good: the next command's recovery found the org not restoring and returned, nothing
     * to undo, without closing the run; as did one killed after it switched the org, before it closed its run. Recovery
     * closes it failed now, dropping nothing: the org keeps its own data, or the restored data it was switched to.
     */
    @Test
    void aRestoreKilledBeforeItsClaimOrAfterItsSwitchHasItsRunClosedByTheNextCommandAndTheOrgKeepsItsData(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String backupId = f.backup("acme");
            f.notes("acme", "later", 5);
            Map<String, List<RawBsonDocument>> now = BackupFixture.contents(f.db("acme"));
            TestCatalog.execute(f.catalogUrl, "create function stall_claim() returns trigger language plpgsql as "
                    + "$$ begin perform pg_sleep(120); return new; end $$");
            TestCatalog.execute(f.catalogUrl, "create trigger stall_claim before update of status on orgs for each row "
                    + "when (new.status = 'restoring') execute function stall_claim()");
            RestoreCrashTest.killRestoreWhen(f, dir, () -> RunKilledBeforeItsFirstClaimTest.stalled(f.catalogUrl, "update orgs set status"),
                    "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");
            TestCatalog.execute(f.catalogUrl, "select pg_terminate_backend(pid) from pg_stat_activity where query like 'update orgs set status%'");
            TestCatalog.execute(f.catalogUrl, "drop trigger stall_claim on orgs");
            String runId = strictJson(ok(f.cli, "runs", "list", "--verb", "restore", "-o", "json")).get("runs").get(0).get("run_id").asText();

            // found in review: verify --fix --dry-run said such a restore 'would be rolled back (its partial database dropped, the
            // org's status put back …)', where the recovery only closes its run: it says what verify --fix then does
            List<String> databases = f.databaseNames("pool-0");
            assertThat(wouldFix(f)).as("the dry run").singleElement().asString()
                    .contains("org acme: the restore of backup " + backupId + " (run " + runId + ") that held it died before it claimed org acme: "
                            + "its run would be closed as failed, nothing undone or dropped (the org keeps its own data)")
                    .doesNotContain("rolled back");
            assertThat(fixed(f)).as("the next command on the org recovers the dead restore's lease, as its dry run said").singleElement()
                    .asString().contains("died before it claimed org acme: the org kept its own data, nothing to undo");
            assertThat(f.databaseNames("pool-0")).as("nothing dropped").containsExactlyInAnyOrderElementsOf(databases);

            JsonNode shown = strictJson(ok(f.cli, "runs", "show", runId, "-o", "json"));
            assertThat(shown.get("run").get("status").asText()).as(shown.toString()).isEqualTo("failed");
            assertThat(shown.toString()).as("its item's reason").contains("died before it claimed org acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            f.assertHolds("acme", now);
            Cli.Result clean = f.cli.run("verify", "-o", "json");
            assertThat(findings(strictJson(clean), "run_abandoned")).as(clean.toString()).isEmpty();

            // and one killed after it switched the org to the restored data, before it closed its run: that data is kept
            String finish = "update run_items set status = $1, attempts = greatest";
            TestCatalog.execute(f.catalogUrl, "create trigger stall_finish before update of status on run_items for each row "
                    + "when (new.status = 'succeeded') execute function stall_claim()");
            RestoreCrashTest.killRestoreWhen(f, dir, () -> RunKilledBeforeItsFirstClaimTest.stalled(f.catalogUrl, finish),
                    "--org", "acme", "--backup", backupId);
            TestCatalog.execute(f.catalogUrl, "select pg_terminate_backend(pid) from pg_stat_activity where query like 'update run_items set status = $1%'");
            TestCatalog.execute(f.catalogUrl, "drop trigger stall_finish on run_items");
            String switched = strictJson(ok(f.cli, "runs", "list", "--verb", "restore", "-o", "json")).get("runs").get(0).get("run_id").asText();
            Map<String, List<RawBsonDocument>> restored = BackupFixture.contents(f.db("acme"));
            assertThat(restored.get("later")).as("switched to the backup's data").isNullOrEmpty();

            assertThat(wouldFix(f)).as("the dry run").singleElement().asString()
                    .contains("org acme: the restore of backup " + backupId + " (run " + switched + ") that held it died after it switched org "
                            + "acme to the restored data: its run would be closed as failed, nothing undone or dropped (the org keeps the "
                            + "restored data)")
                    .doesNotContain("rolled back");
            List<String> switchedDatabases = f.databaseNames("pool-0");
            assertThat(fixed(f)).as("as its dry run said").singleElement().asString()
                    .contains("died after it switched org acme to the restored data, which it keeps: nothing to undo");
            assertThat(f.databaseNames("pool-0")).as("nothing dropped").containsExactlyInAnyOrderElementsOf(switchedDatabases);

            JsonNode after = strictJson(ok(f.cli, "runs", "show", switched, "-o", "json"));
            assertThat(after.get("run").get("status").asText()).as(after.toString()).isEqualTo("failed");
            assertThat(after.toString()).as("its item's reason").contains("died after it switched org acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            f.assertHolds("acme", restored);
            Cli.Result clean2 = f.cli.run("verify", "-o", "json");
            assertThat(findings(strictJson(clean2), "run_abandoned")).as(clean2.toString()).isEmpty();
        }
    }

    /**
     * What verify --fix --dry-run says it would fix, then (nothing done) that it exits as verify --fix will: the run its
     * recovery closes is not also called abandoned ('would be cancelled', exit 4).
     */
    private static List<String> wouldFix(BackupFixture f) {
        Cli.Result r = f.cli.run("verify", "--fix", "--dry-run", "-o", "json");
        List<String> lines = new java.util.ArrayList<>();
        strictJson(r).get("fixed").forEach(l -> lines.add(l.asText()));
        assertThat(lines).as(r.toString()).isNotEmpty().allSatisfy(l -> assertThat(l).doesNotContain("rolled back"));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return lines;
    }

    /** What verify --fix fixed. */
    private static List<String> fixed(BackupFixture f) {
        Cli.Result r = f.cli.run("verify", "--fix", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> lines = new java.util.ArrayList<>();
        strictJson(r).get("fixed").forEach(l -> lines.add(l.asText()));
        return lines;
    }

    /** Runs a restore in a child JVM and kills it while its item start (the statement right after its run is recorded) stalls. */
    private static void killAtItsItemStart(BackupFixture f, Path dir, String... restore) throws Exception {
        String start = "update run_items set status = 'running'";
        TestCatalog.execute(f.catalogUrl, "create function stall_item_start() returns trigger language plpgsql as "
                + "$$ begin perform pg_sleep(120); return new; end $$");
        TestCatalog.execute(f.catalogUrl, "create trigger stall_item_start before update of status on run_items for each row "
                + "when (old.status = 'pending' and new.status = 'running') execute function stall_item_start()");
        RestoreCrashTest.killRestoreWhen(f, dir, () -> RunKilledBeforeItsFirstClaimTest.stalled(f.catalogUrl, start), restore);
        TestCatalog.execute(f.catalogUrl, "select pg_terminate_backend(pid) from pg_stat_activity where query like "
                + "'update run_items set status = ''running''%'");
        TestCatalog.execute(f.catalogUrl, "drop trigger stall_item_start on run_items");
    }
}
