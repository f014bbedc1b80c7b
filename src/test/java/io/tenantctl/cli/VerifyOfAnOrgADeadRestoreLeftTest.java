package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a restore killed with SIGKILL leaves its org restoring, and verify — the command on-call
 * runs first — misread what it left.
 * <ul>
 *   <li>An in-place restore killed after it dropped the org's database leaves the org restoring on a partial database
 *   (its lease's recovery cannot undo a drop). verify checked that partial database's schema as the org's, reported
 *   only missing collections, and {@code --fix} created them in it; then verify said "clean" until --stuck-after (30
 *   min) — with three quarters of the documents missing.</li>
 *   <li>A default restore of an org that had been restored before (its database {@code org_acme__r…}) killed mid-copy
 *   left a partial {@code org_acme__r…} database that verify called nobody's ({@code orphan_database}), its fix an
 *   {@code orgs adopt} that adopt refuses.</li>
 * </ul>
 * A restore holds its org's lease for as long as the org is restoring: an org restoring with no live lease is a dead
 * restore at once, reported (org_stuck) with the restore that puts it right; its database, and its partial copies, are
 * the restore's to finish or undo, never checked, fixed or offered for adoption.
 */
class VerifyOfAnOrgADeadRestoreLeftTest {

    private static final int NOTES = 20_000;

    @TempDir
    Path dir;

    @Test
    void anInPlaceRestoreThatDiedAfterItsDropIsStuckAtOnceAndItsPartialDatabaseIsLeftToTheRestore() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", NOTES);
            String backupId = f.backup("acme");
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            // refilling its own database: more than a batch in, not all of it (it held all NOTES before the drop)
            RestoreCrashTest.killRestoreWhen(f, dir, () -> between(f.database("pool-0", "org_acme").getCollection("notes").estimatedDocumentCount()),
                    "--org", "acme", "--backup", backupId, "--in-place", "--drop-existing");
            f.expireLeases(); // 60 s later

            JsonNode verified = verify(f, "verify");
            JsonNode stuck = only(verified, "org_stuck");
            assertThat(stuck.get("org_id").asText()).isEqualTo("acme");
            assertThat(stuck.get("detail").asText()).contains("restoring").contains("its restore died");
            String fix = stuck.get("fix").asText();
            assertThat(fix).startsWith("tenantctl restore --org acme --backup " + backupId).contains("--in-place").contains("--drop-existing");
            assertThat(kinds(verified)).as("the partial database is the restore's to refill: %s", verified).containsExactly("org_stuck");
            // orgs show, where on-call looks too, names the same restore, and why (it gave a rollout's reason); "did not finish", as
            // it says of a restore that failed past its drop and exited too (it did not die)
            assertThat(ok(f.cli, "orgs", "show", "acme").out()).contains(fix.split("   ")[0] + "   (its restore did not finish: run again")
                    .doesNotContain("manifest is not the one");

            Map<String, Long> partial = counts(f);
            Map<String, List<BsonDocument>> partialIndexes = BackupFixture.indexes(f.db("acme"));
            // found in review: the dry run said every way a rollback can end; it says this one's: the org left restoring, the restore to run
            String runId = restoreRun(f);
            String rerun = "tenantctl restore --org acme --backup " + backupId + " --in-place --drop-existing";
            JsonNode wouldFix = verify(f, "verify", "--fix", "--dry-run");
            assertThat(wouldFix.get("fixed").toString()).as(wouldFix.toString()).contains("org acme: the restore of backup " + backupId
                    + " (run " + runId + ") that held it died: it had dropped org acme's database org_acme on pool pool-0 (--in-place) and it "
                    + "is only partly restored: org acme would be left restoring (not writable), nothing else undone; its run would be "
                    + "closed as failed; then re-run the restore: " + rerun + "\"");
            assertThat(counts(f)).as("a dry run").isEqualTo(partial);
            JsonNode fixed = verify(f, "verify", "--fix");
            assertThat(kinds(fixed)).as(fixed.toString()).containsExactly("org_stuck");
            assertThat(fixed.get("fixed").toString()).as("what it did, as its dry run said").contains("the restore of backup " + backupId
                    + " (run " + runId + ") died; the org's database org_acme WAS DROPPED and is only partly restored: the org stays restoring "
                    + "(not writable); re-run the restore: " + rerun + "\"");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");
            assertThat(counts(f)).as("--fix wrote nothing into the partial database").isEqualTo(partial);
            assertThat(BackupFixture.indexes(f.db("acme"))).isEqualTo(partialIndexes);
            assertThat(partial.getOrDefault("notes", 0L)).as("it is partial").isLessThan(NOTES);

            ok(f.cli, fix.split("   ")[0].substring("tenantctl ".length()).split(" ")); // the fix, as printed
            f.assertHolds("acme", before);
            JsonNode clean = strictJson(ok(f.cli, "verify", "-o", "json"));
            assertThat(kinds(clean)).as(clean.toString()).isEmpty();
        }
    }

    /**
     * Found by probing: within the lease (60 s) of a restore killed on this host, 'verify --fix' left the org restoring
     * (its sweep took only expired leases, where every other command that writes rolls such a restore back at once), and
     * once it did roll it back it did not say so. It rolls it back at once and lists it as fixed.
     */
    @Test
    void verifyFixRollsBackARestoreKilledAMomentAgoAndSaysSo() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", NOTES);
            String backupId = f.backup("acme");
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            String fresh = killedMidCopy(f, backupId);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("restoring");
            // found by a probing helper: the dry run listed the org for a human only, and --fix then rolled it back; and
            // found in review: it said every way a rollback can end, not the one this org's will ('its partial database
            // dropped, the org's status put back, a --to-org org not created; one past an --in-place drop is left restoring')
            String runId = restoreRun(f);
            io.tenantctl.testing.Cli.Result dry = f.cli.run("verify", "--fix", "--dry-run", "-o", "json");
            assertThat(strictJson(dry).get("fixed").toString()).as(dry.toString())
                    .contains("org acme: the restore of backup " + backupId + " (run " + runId + ") that held it died: its partial database "
                            + fresh + " on pool pool-0 would be dropped and org acme set back to active on its own database org_acme; its run "
                            + "would be closed as failed\"");
            assertThat(f.org("acme").get("status").asText()).as("a dry run").isEqualTo("restoring");
            assertThat(f.databaseNames("pool-0")).contains(fresh);

            io.tenantctl.testing.Cli.Result r = f.cli.run("verify", "--fix", "-o", "json");
            JsonNode fixed = strictJson(r);
            assertThat(f.org("acme").get("status").asText()).as(r.toString()).isEqualTo("active");
            assertThat(fixed.get("fixed").toString()).as("what it did, as its dry run said: %s", r).contains("the restore of backup " + backupId
                    + " (run " + runId + ") died; the partial database " + fresh + " was removed; org acme still points at its database, "
                    + "status active\"");
            assertThat(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText()).isEqualTo("failed");
            assertThat(kinds(fixed)).as(r.toString()).doesNotContain("org_stuck");
            f.assertHolds("acme", before);
            assertThat(f.databaseNames("pool-0")).as("the partial copy is dropped").doesNotContain(fresh);
        }
    }

    @Test
    void theTargetOfADeadRestoreOfAnOrgRestoredBeforeIsNotAnOrphan() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.seedNotes("acme", NOTES);
            String first = f.backup("acme");
            ok(f.cli, "restore", "--org", "acme", "--backup", first);
            assertThat(f.org("acme").get("database_name").asText()).as("restored before").startsWith("org_acme__r");
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            String second = f.backup("acme");
            String fresh = killedMidCopy(f, second);
            // found by a second helper: within the dead process's lease (60 s) 'verify --org acme' said "verified 0
            // org(s): clean", exit 0; on the host it ran on its process is known gone, as orgs show and resume know it
            JsonNode atOnce = verify(f, "verify", "--org", "acme");
            assertThat(kinds(atOnce)).as(atOnce.toString()).containsExactly("org_stuck");
            f.expireLeases();

            JsonNode verified = verify(f, "verify");
            assertThat(kinds(verified)).as("no orphan_database whose fix adopt refuses: %s", verified).containsExactly("org_stuck");
            assertThat(only(verified, "org_stuck").get("fix").asText()).startsWith("tenantctl restore --org acme --backup " + second);

            // --fix takes the org's lease, which rolls the dead restore back: the partial copy dropped, the org active
            JsonNode fixed = strictJson(ok(f.cli, "verify", "--fix", "-o", "json"));
            assertThat(kinds(fixed)).as(fixed.toString()).isEmpty();
            assertThat(f.databaseNames("pool-0")).doesNotContain(fresh);
            assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            f.assertHolds("acme", before);
        }
    }

    /** A restore under way: its org is not checked, and a verify of that org alone says so rather than "0 orgs, clean". */
    @Test
    void aRestoreUnderWayIsNeitherCheckedNorStuckAndVerifySaysSo() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            String backupId = f.backup("acme");
            BackupFixture.HeldAtCreate held = f.holdFirstCreate(db -> db.startsWith("org_acme__r"));
            java.util.concurrent.CompletableFuture<io.tenantctl.testing.Cli.Result> restore = held.cli().start("restore", "--org", "acme",
                    "--backup", backupId);
            assertThat(held.awaitReached()).as("the restore reached its copy").isTrue();
            try {
                io.tenantctl.testing.Cli.Result r = ok(f.cli, "verify", "--org", "acme", "-o", "json");
                assertThat(kinds(strictJson(r))).as(r.toString()).isEmpty();
                assertThat(r.err()).contains("org acme is restoring: its database is not checked until that ends");
            } finally {
                held.release();
            }
            io.tenantctl.testing.Cli.Result restored = restore.get(60, TimeUnit.SECONDS);
            assertThat(restored.exitCode()).as(restored.toString()).isZero();
            assertThat(kinds(strictJson(ok(f.cli, "verify", "--org", "acme", "-o", "json")))).isEmpty();
        }
    }

    /** The run of the one restore there is. */
    private static String restoreRun(BackupFixture f) {
        return strictJson(ok(f.cli, "runs", "list", "--verb", "restore", "-o", "json")).get("runs").get(0).get("run_id").asText();
    }

    private static boolean between(long notes) {
        return notes >= 1000 && notes < NOTES;
    }

    /** verify (exit 4: a problem found) as JSON. */
    /** A default restore of acme from {@code backupId} killed (SIGKILL) mid-copy into its fresh database: that database's name. */
    private String killedMidCopy(BackupFixture f, String backupId) throws Exception {
        String fresh = "org_acme__r" + backupId.substring(0, 8) + backupId.substring(9, 15) + backupId.substring(17);
        RestoreCrashTest.killRestoreWhen(f, dir, () -> f.databaseNames("pool-0").contains(fresh)
                        && f.database("pool-0", fresh).getCollection("notes").estimatedDocumentCount() >= 1000,
                "--org", "acme", "--backup", backupId);
        return fresh;
    }

    private static JsonNode verify(BackupFixture f, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-o", "json"));
        io.tenantctl.testing.Cli.Result r = f.cli.run(all.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        return strictJson(r);
    }

    /** The kinds of the problems found (informational findings, such as the copy the first restore replaced, aside). */
    private static List<String> kinds(JsonNode verified) {
        List<String> out = new ArrayList<>();
        verified.get("findings").forEach(x -> {
            if (x.get("severity").asText().equals("problem")) {
                out.add(x.get("kind").asText());
            }
        });
        return out;
    }

    private static JsonNode only(JsonNode verified, String kind) {
        assertThat(kinds(verified)).as(verified.toString()).containsOnlyOnce(kind);
        for (JsonNode x : verified.get("findings")) {
            if (x.get("kind").asText().equals(kind)) {
                return x;
            }
        }
        throw new AssertionError(kind);
    }

    private static Map<String, Long> counts(BackupFixture f) {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String c : f.db("acme").listCollectionNames()) {
            out.put(c, f.db("acme").getCollection(c).countDocuments());
        }
        return out;
    }
}
