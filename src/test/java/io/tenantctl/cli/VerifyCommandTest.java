package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.IndexOptions;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * verify on a real (stand-in) fleet: every kind of finding planted by the test, directly on the pools or in the catalog,
 * detected with its fix command and exit 4; a clean fleet exits 0; ids are stable; ack silences; --fix repairs.
 */
class VerifyCommandTest {

    private static JsonNode verify(BackupFixture f, int expectedExit, String... extra) {
        return verify(f.cli, expectedExit, extra);
    }

    private static JsonNode verify(Cli cli, int expectedExit, String... extra) {
        List<String> args = new ArrayList<>(List.of("verify", "-o", "json"));
        args.addAll(List.of(extra));
        Cli.Result r = cli.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(expectedExit);
        return strictJson(r);
    }


    /** A fleet with two pools, orgs acme and globex on pool-0 and initech on pool-1, each backed up (fresh backups). */
    private static BackupFixture fleet(Path dir) {
        BackupFixture f = new BackupFixture(2, dir);
        f.provision("acme", "globex");
        f.provisionTier("free", "pool-1", "initech");
        Stream.of("acme", "globex", "initech").forEach(f::backup);
        return f;
    }

    @Test
    void aCleanFleetExits0_andTheSameProblemKeepsItsIdAcrossRuns(@TempDir Path dir) {
        try (BackupFixture f = fleet(dir)) {
            JsonNode clean = verify(f, 0);
            assertThat(clean.get("verb").asText()).isEqualTo("verify");
            assertThat(clean.get("problems").asInt()).isZero();
            assertThat(clean.get("counts").get("clean").asInt()).isEqualTo(3);
            assertThat(ok(f.cli, "verify").out()).contains("verified 3 orgs: clean");

            f.db("acme").getCollection("users").dropIndex("email_1");
            JsonNode first = verify(f, 4);
            JsonNode second = verify(f, 4);
            assertThat(findings(first, "schema_missing")).singleElement().satisfies(x -> {
                assertThat(x.get("org_id").asText()).isEqualTo("acme");
                assertThat(x.get("detail").asText()).contains("users.email_1");
                assertThat(x.get("fix").asText()).isEqualTo("tenantctl verify --org acme --fix");
                assertThat(x.get("fix_note").asText()).isEqualTo("creates what is missing");
                assertThat(x.get("state").asText()).isEqualTo("new");
            });
            assertThat(findings(second, "schema_missing")).singleElement().satisfies(x -> {
                assertThat(x.get("finding_id").asText()).isEqualTo(findings(first, "schema_missing").get(0).get("finding_id").asText());
                assertThat(x.get("state").asText()).isEqualTo("known");
            });
        }
    }

    @Test
    void fixCreatesWhatTheManifestListsAndASecondVerifyIsClean(@TempDir Path dir) {
        try (BackupFixture f = fleet(dir)) {
            f.db("acme").getCollection("users").dropIndex("email_1");
            f.db("globex").getCollection("messages").drop();

            JsonNode planned = verify(f, 4, "--fix", "--dry-run");
            assertThat(planned.get("dry_run").asBoolean()).isTrue();
            assertThat(planned.get("fixed")).hasSize(2).allSatisfy(line -> assertThat(line.asText()).contains("would create"));
            assertThat(verify(f, 4).get("problems").asInt()).as("a dry run fixes nothing").isEqualTo(2);

            JsonNode fixed = verify(f, 0, "--fix");
            assertThat(fixed.get("fixed")).hasSize(2);
            assertThat(verify(f, 0).get("problems").asInt()).isZero();
            f.assertClean("acme", "globex", "initech");
        }
    }

    @Test
    void everyKindOfDatabaseProblemIsFoundWithItsFix(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            f.database("pool-0", "org_ghost").getCollection("x").insertOne(new Document("a", 1));           // orphan
            f.database("pool-1", "org_acme").getCollection("x").insertOne(new Document("a", 1));            // stray copy of acme
            f.db("initech").drop();                                                                          // missing database
            f.db("globex").getCollection("users").dropIndex("email_1");                                      // conflict
            f.db("globex").getCollection("users").createIndex(new Document("email", -1), new IndexOptions().name("email_1"));
            f.db("acme").getCollection("messages").createIndex(new Document("text", 1), new IndexOptions().name("app_text_1")); // extra: info

            JsonNode doc = verify(f, 4);

            assertThat(findings(doc, "orphan_database")).singleElement().satisfies(x -> {
                assertThat(x.get("pool_id").asText()).isEqualTo("pool-0");
                assertThat(x.get("fix").asText()).contains("tenantctl orgs adopt ghost --pool pool-0 --database org_ghost");
            });
            assertThat(findings(doc, "stray_copy")).singleElement().satisfies(x -> {
                assertThat(x.get("org_id").asText()).isEqualTo("acme");
                assertThat(x.get("detail").asText()).contains("org_acme on pool pool-1");
            });
            assertThat(findings(doc, "missing_database")).singleElement().satisfies(x -> {
                assertThat(x.get("org_id").asText()).isEqualTo("initech");
                assertThat(x.get("fix").asText()).startsWith("tenantctl restore --org initech");
            });
            assertThat(findings(doc, "schema_conflict")).singleElement().satisfies(x ->
                    assertThat(x.get("detail").asText()).contains("users.email_1"));
            assertThat(findings(doc, "schema_extra")).singleElement().satisfies(x -> {
                assertThat(x.get("severity").asText()).isEqualTo("info");
                assertThat(x.get("detail").asText()).contains("messages.app_text_1");
            });
            assertThat(doc.get("problems").asInt()).isEqualTo(4);
        }
    }

    @Test
    void stuckOrgsAbandonedRunsOverfullPoolsAndStaleBackupsAreFound_andFixDoesOnlyTheSafeOnes(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            f.provision("newco");
            sql(f.catalogUrl, "update orgs set status = 'provisioning', updated_at = now() - interval '2 hours' where org_id = 'newco'");
            sql(f.catalogUrl, "update orgs set status = 'restoring', updated_at = now() - interval '2 hours' where org_id = 'globex'");
            String runId = strictJson(ok(f.cli, "backup", "--org", "acme", "--detach", "-o", "json")).get("run_id").asText();
            sql(f.catalogUrl, "update runs set heartbeat_at = now() - interval '10 minutes' where run_id = '" + runId + "'");
            sql(f.catalogUrl, "update pools set capacity = 1 where pool_id = 'pool-0'");
            sql(f.catalogUrl, "update backups set finished_at = now() - interval '30 days', started_at = now() - interval '30 days' "
                    + "where org_id = 'initech'");
            sql(f.catalogUrl, "insert into moves (move_id, org_id, from_pool, from_database, to_pool, to_database, state, prior_status, "
                    + "updated_at) values ('m-stuck', 'initech', 'pool-1', 'org_initech', 'pool-0', 'org_initech', 'copying', 'active', "
                    + "now() - interval '2 hours')");
            sql(f.catalogUrl, "update orgs set schema_hash = null where org_id = 'acme'");

            JsonNode doc = verify(f, 4);

            assertThat(findings(doc, "org_stuck")).extracting(x -> x.get("org_id").asText()).containsExactlyInAnyOrder("newco", "globex");
            assertThat(findings(doc, "run_abandoned")).singleElement().satisfies(x -> {
                assertThat(x.get("fix").asText()).isEqualTo("tenantctl backup --resume " + runId);
                assertThat(x.get("fix_note").asText()).contains("runs cancel " + runId);
            });
            assertThat(findings(doc, "pool_over_capacity")).singleElement().satisfies(x -> assertThat(x.get("pool_id").asText()).isEqualTo("pool-0"));
            assertThat(findings(doc, "backup_stale")).extracting(x -> x.get("org_id").asText()).contains("initech");
            assertThat(findings(doc, "move_stuck")).singleElement().satisfies(x ->
                    assertThat(x.get("fix").asText()).isEqualTo("tenantctl rebalance resume"));
            assertThat(findings(doc, "no_schema_record")).singleElement().satisfies(x -> {
                assertThat(x.get("org_id").asText()).isEqualTo("acme");
                assertThat(x.get("severity").asText()).isEqualTo("info");
            });

            JsonNode planned = verify(f, 4, "--fix", "--dry-run");
            assertThat(planned.get("fixed").toString()).contains("newco").contains("would be marked failed").contains(runId)
                    .contains("would be cancelled");
            assertThat(f.org("newco").get("status").asText()).as("a dry run changes nothing").isEqualTo("provisioning");
            assertThat(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText()).isEqualTo("abandoned");

            JsonNode fixed = verify(f, 4, "--fix");
            assertThat(fixed.get("fixed").toString()).contains("newco").contains(runId);
            assertThat(f.org("newco").get("status").asText()).as("stuck provisioning is marked failed").isEqualTo("failed");
            assertThat(strictJson(ok(f.cli, "runs", "show", runId, "-o", "json")).get("run").get("status").asText()).isEqualTo("cancelled");
            assertThat(f.org("globex").get("status").asText()).as("a stuck restore is left for a human").isEqualTo("restoring");
            assertThat(fixed.get("left_for_human").toString()).contains("org_stuck globex").contains("pool_over_capacity");
        }
    }

    /** An org whose only problem is a fleet-level one (its backup is stale) is not "clean" in -o json, its counts or metrics. */
    @Test
    void anOrgWithAFleetLevelProblemIsNotCountedClean(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            sql(f.catalogUrl, "update backups set finished_at = now() - interval '30 days', started_at = now() - interval '30 days' "
                    + "where org_id = 'initech'");
            // an index the manifest does not list: informational, acme's line carries it and acme stays clean
            f.db("acme").getCollection("users").createIndex(new Document("legacy", 1), new IndexOptions().name("legacy_1"));
            Path metrics = dir.resolve("verify.prom");

            JsonNode doc = verify(f, 4, "--metrics-file", metrics.toString());

            assertThat(findings(doc, "backup_stale")).extracting(x -> x.get("org_id").asText()).containsExactly("initech");
            Map<String, String> outcomes = new java.util.TreeMap<>();
            doc.get("orgs").forEach(o -> outcomes.put(o.get("org_id").asText(), o.get("outcome").asText()));
            assertThat(outcomes).containsEntry("initech", "problems").containsEntry("acme", "clean").containsEntry("globex", "clean");
            assertThat(doc.get("counts").get("problems").asInt()).isEqualTo(1);
            assertThat(doc.get("counts").get("clean").asInt()).isEqualTo(2);
            assertThat(java.nio.file.Files.readString(metrics)).contains("outcome=\"problems\"");

            // with --metrics-file the report held every line; without it -o json reads them from the run's items a page at
            // a time as it writes them: the same header, line for line (acme's with its finding), in the same order
            JsonNode streamed = verify(f, 4, "--resume", doc.get("run_id").asText());
            List<String> fields = new ArrayList<>();
            streamed.fieldNames().forEachRemaining(fields::add);
            List<String> heldFields = new ArrayList<>();
            doc.fieldNames().forEachRemaining(heldFields::add);
            assertThat(fields).isEqualTo(heldFields).startsWith("run_id", "verb", "status", "counts", "p50_ms", "p95_ms", "max_ms", "orgs");
            for (String field : List.of("run_id", "verb", "status", "counts", "p50_ms", "p95_ms", "max_ms", "orgs", "failed", "problems")) {
                assertThat(streamed.get(field)).as(field).isEqualTo(doc.get(field));
            }
            assertThat(streamed.get("orgs").get(0).get("findings")).as(streamed.toString()).singleElement()
                    .satisfies(x -> assertThat(x.get("kind").asText()).isEqualTo("schema_extra"));
        }
    }

    @Test
    void aDetachedRunNoWorkerEverJoinedIsFoundWithTheCommandsThatStartOrEndIt(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            String fresh = strictJson(ok(f.cli, "backup", "--org", "acme", "--detach", "-o", "json")).get("run_id").asText();
            assertThat(findings(verify(f, 0), "run_unstarted")).as("workers may still be on their way").isEmpty();

            String old = strictJson(ok(f.cli, "backup", "--org", "globex", "--detach", "-o", "json")).get("run_id").asText();
            sql(f.catalogUrl, "update runs set started_at = now() - interval '2 hours' where run_id = '" + old + "'");
            JsonNode doc = verify(f, 4);
            JsonNode shown = strictJson(ok(f.cli, "runs", "show", old, "-o", "json")).get("run");
            assertThat(findings(doc, "run_unstarted")).singleElement().satisfies(x -> {
                assertThat(x.get("detail").asText()).contains(old).contains("no worker");
                assertThat(x.get("fix").asText()).isEqualTo("tenantctl backup --join " + old);
                assertThat(x.get("fix_note").asText()).contains("runs cancel " + old);
                assertThat(List.of(x.get("fix").asText(), x.get("fix_note").asText())).as("the step runs show gives the run")
                        .isEqualTo(List.of(shown.get("next_step").asText(), shown.get("next_note").asText()));
            });
            assertThat(doc.toString()).as("the fresh one is not reported").doesNotContain(fresh);

            JsonNode fixed = verify(f, 4, "--fix");
            assertThat(fixed.get("left_for_human").toString()).as("a run someone meant to start is not cancelled by --fix")
                    .contains("run_unstarted");
            CliFixture.followNextStep(f.cli, findings(doc, "run_unstarted").get(0).get("fix").asText());
            assertThat(findings(verify(f, 0), "run_unstarted")).as("joined and finished").isEmpty();

            // a restore killed once it had recorded its run, before it began: a restore has no --join, its step ends the run
            String restore = "20260101T000000Z-beef";
            sql(f.catalogUrl, "insert into runs (run_id, verb, args, status, actor, started_at) values ('" + restore + "', 'restore', "
                    + "'{\"org\": \"acme\"}', 'running', 'test', now() - interval '2 hours')");
            sql(f.catalogUrl, "insert into run_items (run_id, org_id, status, attempts) values ('" + restore + "', 'acme', 'pending', 0)");
            JsonNode dead = findings(verify(f, 4), "run_unstarted").get(0);
            assertThat(dead.get("detail").asText()).contains(restore);
            CliFixture.followNextStep(f.cli, dead.get("fix").asText());
            assertThat(findings(verify(f, 0), "run_unstarted")).as("the step ended it").isEmpty();
        }
    }

    /**
     * A run left running is judged however many runs were recorded since: cron's backups and verifies of a busy fleet
     * record more than 1,000 in a day, and a run they pushed out of the newest ones still blocks the next run of its verb.
     */
    @Test
    void runsLeftRunningAreFoundAndAnAbandonedOneCancelledByFix_afterMoreThanAThousandNewerRuns(@TempDir Path dir) {
        try (BackupFixture f = fleet(dir)) {
            String abandoned = strictJson(ok(f.cli, "backup", "--org", "acme", "--detach", "-o", "json")).get("run_id").asText();
            sql(f.catalogUrl, "update runs set heartbeat_at = now() - interval '10 minutes' where run_id = '" + abandoned + "'");
            String unstarted = strictJson(ok(f.cli, "backup", "--org", "globex", "--detach", "-o", "json")).get("run_id").asText();
            sql(f.catalogUrl, "update runs set started_at = now() - interval '2 hours' where run_id = '" + unstarted + "'");
            sql(f.catalogUrl, "with newer as (insert into runs (run_id, verb, started_at, finished_at, status, actor) "
                    + "select 'cron-' || n, 'backup', now() + n * interval '1 millisecond', now() + n * interval '1 millisecond', 'succeeded', "
                    + "'cron' from generate_series(1, 1100) n returning run_id) "
                    + "insert into run_items (run_id, org_id, status, attempts) select run_id, 'cron-org', 'succeeded', 1 from newer");

            JsonNode doc = verify(f, 4);

            assertThat(findings(doc, "run_abandoned")).singleElement().satisfies(x -> {
                assertThat(x.get("detail").asText()).contains(abandoned);
                assertThat(x.get("fix").asText()).isEqualTo("tenantctl backup --resume " + abandoned);
            });
            assertThat(findings(doc, "run_unstarted")).singleElement().satisfies(x ->
                    assertThat(x.get("fix").asText()).isEqualTo("tenantctl backup --join " + unstarted));

            JsonNode fixed = verify(f, 4, "--fix");
            assertThat(fixed.get("fixed").toString()).contains(abandoned).contains("cancelled");
            assertThat(strictJson(ok(f.cli, "runs", "show", abandoned, "-o", "json")).get("run").get("status").asText()).isEqualTo("cancelled");
            assertThat(findings(verify(f, 4), "run_abandoned")).isEmpty();
        }
    }

    @Test
    void anUnreachablePoolIsOneFinding_andTheOtherPoolsOrgsAreStillChecked(@TempDir Path dir) {
        try (BackupFixture f = fleet(dir)) {
            f.db("initech").getCollection("users").dropIndex("email_1");
            f.pools.kill(0);
            // each verify waits out its connect to the dead pool: 300 ms (as OnCallDeadPoolMessagesTest's) rather than 1 s,
            // as that the pool is found unreachable, not how long it is waited for, is what is tested
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "TENANTCTL_STORE", f.storeDir.toUri().toString(), "USER", "test",
                    io.tenantctl.pool.PoolClients.CONNECT_TIMEOUT_ENV, "300"));

            JsonNode doc = verify(cli, 4);

            assertThat(findings(doc, "pool_unreachable")).singleElement().satisfies(x -> {
                assertThat(x.get("pool_id").asText()).isEqualTo("pool-0");
                assertThat(x.get("detail").asText()).contains("2 orgs were not checked");
                assertThat(x.get("detail").asText().split("pool pool-0", -1)).as("names the pool once").hasSize(2);
                assertThat(x.get("fix_note").asText()).contains("pools drain pool-0");
            });
            assertThat(findings(doc, "schema_missing")).singleElement().satisfies(x -> assertThat(x.get("org_id").asText()).isEqualTo("initech"));
            assertThat(findings(doc, "check_failed")).as("no per-org noise for the dead pool's orgs").isEmpty();
            assertThat(doc.get("counts").get("failed").asInt()).as(doc.toString()).isEqualTo(2);
            // the text's summary counts as -o json does: the dead pool's orgs were not checked, not "verified 3 orgs"
            Cli.Result text = cli.run("verify");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(4);
            assertThat(text.out()).as(text.toString()).contains("verified 1 org, 2 not checked (pool pool-0 did not answer): ")
                    .doesNotContain("verified 3 org");

            // --org: only the pools of the orgs named; the dead pool is none of initech's business
            JsonNode one = verify(cli, 4, "--org", "initech");
            assertThat(findings(one, "pool_unreachable")).isEmpty();
            assertThat(findings(one, "schema_missing")).singleElement().satisfies(x -> assertThat(x.get("org_id").asText()).isEqualTo("initech"));
            // a pool already out of placement is not told to be drained
            ok(f.cli, "pools", "drain", "pool-0");
            assertThat(findings(verify(cli, 4), "pool_unreachable")).singleElement()
                    .satisfies(x -> assertThat(x.get("fix_note").asText()).doesNotContain("pools drain"));
        }
    }

    @Test
    void ackSilencesAFindingUntilItsDate_andChangedOnlySkipsOrgsVerifiedCleanSince(@TempDir Path dir) {
        try (BackupFixture f = fleet(dir)) {
            f.database("pool-0", "org_ghost").getCollection("x").insertOne(new Document("a", 1));
            String id = findings(verify(f, 4), "orphan_database").get(0).get("finding_id").asText();

            Cli.Result past = f.cli.run("verify", "ack", id, "--until", "2020-01-01", "--reason", "old");
            assertThat(past.exitCode()).isEqualTo(2);
            // too far ahead for the catalog: a usage error naming the value, not "query failed … timestamp out of range" (exit 1)
            for (String tooFar : List.of("999999999999d", "+1000000-01-01T00:00:00Z")) {
                Cli.Result far = f.cli.run("verify", "ack", id, "--until", tooFar, "--reason", "far");
                assertThat(far.exitCode()).as(far.toString()).isEqualTo(2);
                assertThat(far.err()).as(far.toString()).contains(tooFar).doesNotContain("query failed");
            }
            assertThat(ok(f.cli, "verify", "ack", id, "--until", "7d", "--reason", "dry", "--dry-run").out()).contains("would be acked");
            assertThat(findings(verify(f, 4), "orphan_database")).as("a dry-run ack writes nothing").singleElement()
                    .satisfies(x -> assertThat(x.get("state").asText()).isNotEqualTo("acked"));
            ok(f.cli, "verify", "ack", id, "--until", "7d", "--reason", "forensics copy, dropped next week");
            JsonNode acked = verify(f, 0);
            assertThat(findings(acked, "orphan_database")).singleElement().satisfies(x -> {
                assertThat(x.get("state").asText()).isEqualTo("acked");
                assertThat(x.get("ack_reason").asText()).contains("forensics");
            });

            JsonNode changedOnly = verify(f, 0, "--changed-only");
            assertThat(changedOnly.get("skipped_unchanged").asInt()).isEqualTo(3);
            assertThat(changedOnly.get("orgs")).isEmpty();
            ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-0"); // reads only: nothing changes
            f.db("acme").getCollection("users").dropIndex("email_1");
            ok(f.cli, "migrate-all", "--org", "acme", "--schema", dir.resolve("small-schema.json").toString(), "--force");
            JsonNode afterChange = verify(f, 0, "--changed-only");
            assertThat(afterChange.get("orgs")).extracting(o -> o.get("org_id").asText()).containsExactly("acme");
        }
    }

    /**
     * A file store whose directory is not there (a volume not mounted) while the catalog records backups written there: exit 3
     * and one line, as a store that does not answer, not each org's newest backup called gone and marked damaged (which
     * outlived the remount, and whose fix, a fresh backup, would write to the directory on the wrong disk).
     */
    @Test
    void aFileStoreWhoseDirectoryIsMissingIsExit3_andMarksNothingDamaged(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            Path mounted = dir.resolve("volume");
            Files.move(f.storeDir, mounted); // unmounted: the store's directory is gone

            Cli.Result r = f.cli.run("verify");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(r.out()).as(r.toString()).isEmpty();
            assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
            assertThat(r.err()).contains("store " + f.storeDir.toUri().toString().replaceAll("/$", "") + " does not exist")
                    .contains("1 complete backup of 1 org").contains("mount");
            Cli.Result json = f.cli.run("verify", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(3);
            assertThat(strictJson(json).toString()).contains("does not exist");
            assertThat(f.storeDir).as("verify makes no directory").doesNotExist();

            // a store no backup was recorded in is as before: nothing there to find gone
            assertThat(verify(f.cli, 0, "--store", dir.resolve("never-written").toUri().toString()).get("problems").asInt()).isZero();

            Files.move(mounted, f.storeDir); // mounted again: acme's backup is whole, never marked damaged
            assertThat(verify(f, 0).get("problems").asInt()).isZero();
        }
    }

    @Test
    void deepReadsTheNewestBackupBack_andATamperedFileIsFound(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            assertThat(verify(f, 0, "--deep").get("problems").asInt()).isZero();
            String id = f.backup("acme");
            try (Stream<Path> files = Files.walk(f.storeDir)) {
                Path file = files.filter(p -> p.toString().contains(id) && p.getFileName().toString().startsWith("users")).findFirst().orElseThrow();
                byte[] bytes = Files.readAllBytes(file);
                bytes[bytes.length / 2] ^= 0x5a;
                Files.write(file, bytes);
            }

            JsonNode doc = verify(f, 4, "--deep");

            assertThat(findings(doc, "backup_corrupt")).singleElement().satisfies(x -> {
                assertThat(x.get("org_id").asText()).isEqualTo("acme");
                assertThat(x.get("detail").asText()).contains(id);
                assertThat(x.get("fix").asText()).startsWith("tenantctl backup --org acme");
            });
        }
    }

    @Test
    void retainedCopiesAreInformationalWithinTheirGrace_andMoveLeftoversAreProblems(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            ok(f.cli, "rebalance", "move", "initech", "--to", "pool-0", "--freeze-grace", "0");
            ok(f.cli, "backup", "--org", "initech");
            JsonNode within = verify(f, 0);
            assertThat(findings(within, "retained_copy")).singleElement().satisfies(x -> {
                assertThat(x.get("severity").asText()).isEqualTo("info");
                assertThat(x.get("pool_id").asText()).isEqualTo("pool-1");
            });
            JsonNode overdue = verify(f, 4, "--retired-grace", "0");
            assertThat(findings(overdue, "retained_copy_overdue")).singleElement().satisfies(x ->
                    assertThat(x.get("fix").asText()).startsWith("tenantctl rebalance gc"));

            f.database("pool-1", "org_acme__m9").createCollection("notes"); // what the move had begun to copy
            sql(f.catalogUrl, "insert into moves (move_id, org_id, from_pool, from_database, to_pool, to_database, state, prior_status) "
                    + "values ('m-test', 'acme', 'pool-0', 'org_acme', 'pool-1', 'org_acme__m9', 'aborted', 'active')");
            assertThat(findings(verify(f, 4), "move_leftover")).singleElement().satisfies(x -> {
                assertThat(x.get("fix").asText()).isEqualTo("tenantctl rebalance gc");
                assertThat(x.get("fix_note").asText()).startsWith("drops an aborted move's target at once");
            });
        }
    }

    @Test
    void supersededIndexesAMissingManifestAndAnOrgThatCannotBeReadAreFindingsToo(@TempDir Path dir) throws Exception {
        try (BackupFixture f = fleet(dir)) {
            Path dropping = dir.resolve("dropping.json");
            Files.writeString(dropping, CliFixture.SMALL_SCHEMA.replace("\"name\": \"messages\",", "\"name\": \"messages\", \"drop\": [\"legacy_1\"],"));
            ok(f.cli, "migrate-all", "--org", "acme", "--schema", dropping.toString());
            f.db("acme").getCollection("messages").createIndex(new Document("legacy", 1), new IndexOptions().name("legacy_1"));
            sql(f.catalogUrl, "update orgs set schema_hash = 'feedface' where org_id = 'initech'");
            Cli unreadable = f.cli.decoratePools(real -> io.tenantctl.testing.HookedPools.onDatabase(real, (name, db) ->
                    name.equals("org_globex") ? io.tenantctl.testing.HookedPools.failing(db, "listCollectionNames", 13,
                            "not authorized on org_globex") : db));

            Cli.Result r = unreadable.run("verify", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            JsonNode doc = strictJson(r);

            assertThat(findings(doc, "schema_superseded")).singleElement().satisfies(x -> {
                assertThat(x.get("org_id").asText()).isEqualTo("acme");
                assertThat(x.get("detail").asText()).contains("messages.legacy_1");
            });
            assertThat(findings(doc, "manifest_missing")).singleElement().satisfies(x -> {
                assertThat(x.get("org_id").asText()).isEqualTo("initech");
                assertThat(x.get("detail").asText()).contains("feedface");
            });
            assertThat(findings(doc, "check_failed")).singleElement().satisfies(x -> {
                assertThat(x.get("org_id").asText()).isEqualTo("globex");
                assertThat(x.get("detail").asText()).contains("not authorized");
            });
        }
    }

    /**
     * An org whose check failed was one check_failed finding saying only the driver's words: 'org acme could not be checked:
     * listCollections: Timeout while receiving message: Read timed out', 'org globex could not be checked: listCollections:
     * code 13 (Unauthorized): …', with the fix 'tenantctl verify --org ORG' after fixing what the error says — which pool,
     * which database, and what to fix, none of it said.
     * The line now says what failed on what (the pool, the org's database) and what to do, by the cause: a pool that did
     * not answer in time, one whose user lacks a privilege, or an error that is tenantctl's own, to report.
     */
    @Test
    void anOrgWhoseCheckFailedSaysWhatFailedOnWhatAndWhatToDo(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex", "initech");
            Cli failing = f.cli.decoratePools(real -> io.tenantctl.testing.HookedPools.onDatabase(real, (name, db) -> switch (name) {
                case "org_acme" -> io.tenantctl.testing.HookedPools.beforeEach(db, "listCollectionNames", () -> {
                    throw new com.mongodb.MongoSocketReadTimeoutException("Timeout while receiving message",
                            new com.mongodb.ServerAddress("127.0.0.1", 27017), new java.net.SocketTimeoutException("Read timed out"));
                });
                case "org_globex" -> io.tenantctl.testing.HookedPools.failing(db, "listCollectionNames", 13, "not authorized on org_globex");
                case "org_initech" -> io.tenantctl.testing.HookedPools.beforeEach(db, "listCollectionNames", () -> {
                    throw new IllegalStateException("state should be: open");
                });
                default -> db;
            }));

            Cli.Result r = failing.run("verify", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            JsonNode doc = strictJson(r);
            Map<String, String> lines = new java.util.TreeMap<>();
            findings(doc, "check_failed").forEach(x -> lines.put(x.get("org_id").asText(), x.get("detail").asText()));
            assertThat(lines.keySet()).as(r.toString()).containsExactly("acme", "globex", "initech");
            lines.forEach((org, line) -> assertThat(line).as(org).startsWith("org " + org + " could not be checked: ")
                    .contains("pool pool-0").contains("database org_" + org));
            assertThat(lines.get("acme")).contains("Timeout while receiving message").contains("did not answer in time")
                    .contains("tenantctl pools stats pool-0").contains("TENANTCTL_POOL_SOCKET_TIMEOUT_MS");
            assertThat(lines.get("globex")).contains("not authorized on org_globex").contains("its user lacks a privilege tenantctl needs");
            assertThat(lines.get("initech")).contains("state should be: open").contains("not the pool's").contains("report it")
                    .doesNotContain("pools stats");
            findings(doc, "check_failed").forEach(x -> assertThat(x.get("fix").asText()).isEqualTo("tenantctl verify --org " + x.get("org_id").asText()));
            assertThat(findings(doc, "pool_unreachable")).isEmpty();
        }
    }

    @Test
    void aVerifySharedByWorkersIsReportedByTheResume(@TempDir Path dir) {
        try (BackupFixture f = fleet(dir)) {
            f.database("pool-0", "org_ghost").getCollection("x").insertOne(new Document("a", 1));
            f.db("acme").getCollection("users").dropIndex("email_1");
            String runId = strictJson(ok(f.cli, "verify", "--detach", "-o", "json")).get("run_id").asText();

            assertThat(ok(f.cli, "verify", "--join", runId).out()).contains("worked on run " + runId)
                    .contains("tenantctl verify --resume " + runId);
            Cli.Result resumed = f.cli.run("verify", "--resume", runId, "-o", "json");

            assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(4);
            JsonNode doc = strictJson(resumed);
            assertThat(doc.get("run_id").asText()).isEqualTo(runId);
            assertThat(findings(doc, "orphan_database")).hasSize(1);
            assertThat(findings(doc, "schema_missing")).singleElement().satisfies(x -> assertThat(x.get("org_id").asText()).isEqualTo("acme"));
        }
    }

    /**
     * A verify worker that joined a run already over (a retried pod of the Job) said 'worked on run R (2 orgs,
     * succeeded); once its workers are done, …': it had worked on nothing, and they were done. Of a cancelled run it
     * named that run's --resume, which refuses a cancelled run (exit 2). It now says the run is over and that it checked
     * none of its orgs, with the --resume that reports the findings, or, the run cancelled, the cancel's own line (exit 1).
     */
    @Test
    void aWorkerJoiningAVerifyRunThatIsOverSaysSoAndWhatReportsIt(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            String runId = strictJson(ok(f.cli, "verify", "--detach", "-o", "json")).get("run_id").asText();
            ok(f.cli, "verify", "--join", runId);

            Cli.Result late = f.cli.run("verify", "--join", runId);

            assertThat(late.exitCode()).as(late.toString()).isZero();
            assertThat(late.out()).as(late.toString()).isEqualTo("run " + runId + " is over (succeeded, 2 orgs): this worker checked none "
                    + "of them; 'tenantctl verify --resume " + runId + "' adds the fleet checks and reports the findings\n");

            String cancelled = strictJson(ok(f.cli, "verify", "--detach", "-o", "json")).get("run_id").asText();
            ok(f.cli, "runs", "cancel", cancelled);
            Cli.Result joined = f.cli.run("verify", "--join", cancelled);

            assertThat(joined.exitCode()).as(joined.toString()).isEqualTo(1);
            assertThat(joined.out()).as(joined.toString()).startsWith("run " + cancelled + " is over (cancelled, 2 orgs): this worker checked none")
                    .doesNotContain("--resume");
            assertThat(joined.err()).as(joined.toString()).contains("cancelled: run " + cancelled + " was cancelled", "start a new run");
        }
    }
}
