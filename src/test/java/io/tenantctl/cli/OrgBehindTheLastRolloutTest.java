package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.V2_CONFLICT;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rollout skips a suspended org ("migrate it once it is active again"), and a deleting one; a restore brings back the
 * manifest its backup had. Resumed or restored afterwards, the org ran the new release on the old manifest until the next
 * deploy's migrate-all, and nothing said so. resume and restore now name the migrate-all that brings it up to the last
 * rollout, by the manifest's hash (the catalog keeps every run's manifest, so the on-call engineer needs no file), and
 * that command, followed literally, does it. verify reports such an org ({@code schema_behind}) until it is done.
 */
class OrgBehindTheLastRolloutTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void resumeNamesTheMigrateAllThatBringsTheOrgUpToTheLastRollout(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        String v2 = rolloutPassingOverSuspendedAcme(cli, dir);
        Path v1 = dir.resolve("v1.json");
        CliFixture.assertExactly(url, v1, List.of("acme")); // passed over while suspended

        Cli.Result resumed = ok(cli, "orgs", "resume", "acme");
        String next = "tenantctl migrate-all --org acme --schema-hash " + v2;
        assertThat(resumed.err()).as(resumed.toString()).contains("next for acme: " + next);
        for (String verb : new String[]{"migrate-all", "provision"}) { // a hash and a file: which one was meant is not guessed
            Cli.Result both = cli.run(verb, "--schema", v1.toString(), "--schema-hash", v2, "--dry-run");
            assertThat(both.exitCode()).as(both.toString()).isEqualTo(2);
            assertThat(both.err()).contains("--schema and --schema-hash both name the manifest: give one");
        }
        // found by probing: the 12 characters lists show were refused ("the catalog records no manifest"), upper case too
        for (String prefix : new String[]{v2.substring(0, 12), v2.substring(0, 12).toUpperCase(java.util.Locale.ROOT)}) {
            Cli.Result dry = ok(cli, "migrate-all", "--org", "acme", "--schema-hash", prefix, "--dry-run", "-o", "json");
            assertThat(strictJson(dry).get("schema_hash").asText()).as(dry.toString()).isEqualTo(v2);
        }
        Cli.Result tooShort = cli.run("migrate-all", "--org", "acme", "--schema-hash", v2.substring(0, 6), "--dry-run");
        assertThat(tooShort.exitCode()).as(tooShort.toString()).isEqualTo(2);
        // found by probing: it said "the catalog records no manifest 4fc1bd", which the catalog does, under a longer name
        assertThat(tooShort.err()).as(tooShort.toString()).contains("--schema-hash " + v2.substring(0, 6) + " is too short")
                .contains("at least 8").doesNotContain("records no manifest");
        Cli.Result followed = ok(cli, next.substring("tenantctl ".length()).split(" "));
        assertThat(followed.out()).as(followed.toString()).contains("migrated 1");
        CliFixture.assertExactly(url, dir.resolve("v2.json"), List.of("acme", "globex"));

        ok(cli, "orgs", "suspend", "globex");
        JsonNode upToDate = strictJson(ok(cli, "orgs", "resume", "globex", "-o", "json"));
        assertThat(upToDate.get("next").isNull()).as("an org the last rollout reached: nothing to add %s", upToDate).isTrue();
    }

    /** A rollout to one pool (a canary by pool) was not meant for the other pool's orgs: resuming one of them adds nothing. */
    @Test
    void aRolloutThatDidNotSelectTheOrgIsNotNamed(@TempDir Path dir) {
        try (TestPools two = new TestPools(2)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-a", two.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-b", two.uri(1), 10, 2);
            Path v1 = write(dir, "v1.json", V1);
            MigrateAllFixture.provision(cli, v1, List.of("acme"), "--pool", "pool-a");
            MigrateAllFixture.provision(cli, v1, List.of("globex"), "--pool", "pool-b");
            ok(cli, "orgs", "suspend", "acme");
            ok(cli, "migrate-all", "--schema", write(dir, "v2.json", V2_ADD).toString(), "--pool", "pool-b");

            Cli.Result resumed = ok(cli, "orgs", "resume", "acme");
            assertThat(resumed.err()).as(resumed.toString()).doesNotContain("next for acme");
            CliFixture.assertExactly(url, v1, List.of("acme"));
        }
    }

    @Test
    void restoreOfABackupFromBeforeTheLastRolloutNamesTheMigrateAllThatBringsTheOrgUpToIt(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = backedUpBeforeARollout(url, dir);
        Path v1 = dir.resolve("v1.json");
        Path v2File = dir.resolve("v2.json");
        String v2 = SchemaManifest.load(v2File).hash();

        JsonNode restored = strictJson(ok(cli, "restore", "--org", "acme", "-o", "json"));
        CliFixture.assertExactly(url, v1, List.of("acme")); // the backup's indexes, as it was taken
        String next = "tenantctl migrate-all --org acme --schema-hash " + v2;
        assertThat(restored.get("next").asText()).as(restored.toString()).isEqualTo(next);
        ok(cli, next.substring("tenantctl ".length()).split(" "));
        CliFixture.assertExactly(url, v2File, List.of("acme"));

        ok(cli, "backup", "--org", "acme");
        Cli.Result again = ok(cli, "restore", "--org", "acme");
        assertThat(again.err()).as("a backup the last rollout reached: %s", again).doesNotContain("next for acme");
    }

    /**
     * Found by probing: restoring a suspended org from a backup older than the last rollout named the catch-up
     * migrate-all, which passes over a read_only org ("migrate it once it is active again"): pasted, it changed nothing.
     * A suspended org's next step is its resume, which names the catch-up once it is active.
     */
    @Test
    void restoreOfASuspendedOrgNamesItsResumeBeforeTheCatchUp(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = backedUpBeforeARollout(url, dir);
        Path v2File = dir.resolve("v2.json");
        String v2 = SchemaManifest.load(v2File).hash();
        ok(cli, "orgs", "suspend", "acme");

        JsonNode restored = strictJson(ok(cli, "restore", "--org", "acme", "-o", "json"));
        assertThat(restored.get("status").asText()).isEqualTo("read_only");
        String next = restored.get("next").asText();
        assertThat(next).as(restored.toString()).startsWith("tenantctl orgs resume acme ")
                .contains("tenantctl migrate-all --org acme --schema-hash " + v2);
        JsonNode resumed = strictJson(ok(cli, "orgs", "resume", "acme", "-o", "json"));
        String catchUp = resumed.get("next").asText();
        assertThat(catchUp).isEqualTo("tenantctl migrate-all --org acme --schema-hash " + v2);
        ok(cli, catchUp.substring("tenantctl ".length()).split(" "));
        CliFixture.assertExactly(url, v2File, List.of("acme"));
    }

    /**
     * verify tells on-call which orgs run the new release on an older manifest — their databases match their own manifest,
     * so no schema finding says it — with the migrate-all that fixes each; not while a newer rollout is still under way.
     */
    @Test
    void verifyReportsAnOrgTheLastRolloutPassedOverUntilItIsMigrated(@TempDir Path dir) {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        String v2 = rolloutPassingOverSuspendedAcme(cli, dir);
        ok(cli, "orgs", "resume", "acme");

        Cli.Result r = cli.run("verify", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        List<JsonNode> behind = findings(strictJson(r), "schema_behind");
        assertThat(behind).as(r.toString()).hasSize(1);
        assertThat(behind.get(0).get("org_id").asText()).isEqualTo("acme");
        assertThat(behind.get(0).get("detail").asText()).contains("not " + v2.substring(0, 12) + ", which the last rollout that took it");
        String fix = behind.get(0).get("fix").asText();
        assertThat(fix).isEqualTo("tenantctl migrate-all --org acme --schema-hash " + v2);

        // orgs show, where on-call looks first, says the same; an org the rollout reached has no "next" at all
        assertThat(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).get("next").asText()).isEqualTo(fix);
        assertThat(ok(cli, "orgs", "show", "acme").out()).contains(fix);
        assertThat(strictJson(ok(cli, "orgs", "show", "globex", "-o", "json")).has("next")).isFalse();

        ok(cli, fix.substring("tenantctl ".length()).split(" "));
        assertThat(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).has("next")).isFalse();
        JsonNode after = strictJson(ok(cli, "verify", "-o", "json"));
        assertThat(findings(after, "schema_behind")).as(after.toString()).isEmpty();

        // a newer rollout under way (detached, its workers not started): the orgs it has not reached are not behind yet
        ok(cli, "migrate-all", "--schema", write(dir, "v3.json", V2_CONFLICT).toString(), "--detach");
        JsonNode during = strictJson(ok(cli, "verify", "-o", "json"));
        assertThat(findings(during, "schema_behind")).as(during.toString()).isEmpty();
    }

    /**
     * A rollout that went through every org and failed on one (duplicates under a new unique index) still shipped its
     * release: the org it failed on runs it on the old manifest. verify said nothing (only a rollout that succeeded
     * counted); it reports that org now, with the same fix, until the org is migrated.
     */
    @Test
    void verifyReportsAnOrgTheLastRolloutFailedOnUntilItIsMigrated(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        v1Fleet(cli, dir, "acme", "globex");
        try (MongoClient direct = MongoClients.create(pools.uri(0))) {
            MongoCollection<Document> users = direct.getDatabase(MigrateAllFixture.db("acme")).getCollection("users");
            users.insertOne(new Document("_id", "dup-1").append("email", "same@acme.test"));
            users.insertOne(new Document("_id", "dup-2").append("email", "same@acme.test"));
            Path v2File = write(dir, "v2.json", V2_CONFLICT);
            Cli.Result rollout = cli.run("migrate-all", "--schema", v2File.toString(), "--replace-conflicting", "-o", "json");
            assertThat(rollout.exitCode()).as(rollout.toString()).isEqualTo(1);
            JsonNode summary = strictJson(rollout);
            assertThat(MigrateAllFixture.failedIds(summary)).as(rollout.toString()).containsExactly("acme");
            String v2 = summary.get("schema_hash").asText();

            Cli.Result r = cli.run("verify", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            List<JsonNode> behind = findings(strictJson(r), "schema_behind");
            assertThat(behind).extracting(f -> f.get("org_id").asText()).as(r.toString()).containsExactly("acme");
            assertThat(behind.get(0).get("detail").asText()).contains("not " + v2.substring(0, 12) + ", which the last rollout that took it")
                    .contains("failed").contains("tenantctl runs show " + summary.get("run_id").asText());
            // the rollout rebuilt globex's email_1 as unique: followed literally, the fix must do the same to acme's; it failed
            // acme on duplicate keys, so the command comes after their clean-up, in the note (pasted alone it fails again)
            String fix = "tenantctl migrate-all --org acme --schema-hash " + v2 + " --replace-conflicting";
            assertThat(behind.get(0).get("fix").isNull()).as(behind.get(0).toString()).isTrue();
            String note = behind.get(0).get("fix_note").asText();
            assertThat(note).startsWith("remove the duplicate documents").endsWith("then: " + fix);
            assertThat(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).get("next_note").asText()).isEqualTo(note);
            // found by probing: cancelling the failed run (it had ended; nothing left to stop) made verify clean again
            ok(cli, "runs", "cancel", summary.get("run_id").asText());
            Cli.Result cancelled = cli.run("verify", "-o", "json");
            assertThat(cancelled.exitCode()).as(cancelled.toString()).isEqualTo(4);
            assertThat(findings(strictJson(cancelled), "schema_behind")).extracting(f -> f.get("fix_note").asText()).containsExactly(note);

            users.deleteOne(new Document("_id", "dup-2")); // what the run's error says to do, then its fix
            ok(cli, fix.substring("tenantctl ".length()).split(" "));
            JsonNode after = strictJson(ok(cli, "verify", "-o", "json"));
            assertThat(findings(after, "schema_behind")).as(after.toString()).isEmpty();
            CliFixture.assertExactly(url, v2File, List.of("acme", "globex"));
        }
    }

    /**
     * Following one org's fix runs a rollout narrowed to that org: it is not the rollout the other orgs passed over are
     * judged by, so they are still reported, and still named when resumed.
     */
    @Test
    void aCatchUpOfOneOrgDoesNotHideAnotherOrgTheFleetRolloutPassedOver(@TempDir Path dir) {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        v1Fleet(cli, dir, "acme", "globex", "initech");
        ok(cli, "orgs", "suspend", "acme");
        ok(cli, "orgs", "suspend", "globex");
        String v2 = strictJson(ok(cli, "migrate-all", "--schema", write(dir, "v2.json", V2_ADD).toString(), "-o", "json"))
                .get("schema_hash").asText();
        ok(cli, "orgs", "resume", "acme");
        ok(cli, "migrate-all", "--org", "acme", "--schema-hash", v2); // acme's fix, followed

        Cli.Result resumed = ok(cli, "orgs", "resume", "globex");
        assertThat(resumed.err()).as(resumed.toString()).contains("next for globex: tenantctl migrate-all --org globex --schema-hash " + v2);
        Cli.Result r = cli.run("verify", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        assertThat(findings(strictJson(r), "schema_behind")).extracting(f -> f.get("org_id").asText()).containsExactly("globex");
    }

    /**
     * Found by probing: an org provisioned after the last rollout with the older manifest is behind it, and verify said so
     * with a wrong reason ("it was passed over (suspended or deleting then) or went back since (a restore)"). It says the
     * org was created since, with that older manifest; the fix is the same catch-up.
     */
    @Test
    void anOrgProvisionedSinceWithTheOlderManifestIsBehindForWhatItIs(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        v1Fleet(cli, dir, "acme");
        String v2 = strictJson(ok(cli, "migrate-all", "--schema", write(dir, "v2.json", V2_ADD).toString(), "-o", "json"))
                .get("schema_hash").asText();
        MigrateAllFixture.provision(cli, dir.resolve("v1.json"), List.of("globex")); // an old pipeline's signup

        Cli.Result r = cli.run("verify", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        List<JsonNode> behind = findings(strictJson(r), "schema_behind");
        assertThat(behind).extracting(f -> f.get("org_id").asText()).containsExactly("globex");
        assertThat(behind.get(0).get("detail").asText()).as(behind.toString()).contains("created since")
                .doesNotContain("suspended or deleting").doesNotContain("a restore");
        assertThat(behind.get(0).get("fix").asText()).isEqualTo("tenantctl migrate-all --org globex --schema-hash " + v2);
    }

    /** An org provisioned after the last rollout with a newer manifest is ahead of it: neither verify nor resume sends it back. */
    @Test
    void anOrgProvisionedWithANewerManifestIsNotBehind(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        v1Fleet(cli, dir, "acme");
        ok(cli, "migrate-all", "--schema", write(dir, "v2.json", V2_ADD).toString());
        MigrateAllFixture.provision(cli, write(dir, "v3.json", V2_CONFLICT), List.of("globex")); // the next release's signup

        JsonNode verified = strictJson(ok(cli, "verify", "-o", "json"));
        assertThat(findings(verified, "schema_behind")).as(verified.toString()).isEmpty();
        ok(cli, "orgs", "suspend", "globex");
        Cli.Result resumed = ok(cli, "orgs", "resume", "globex");
        assertThat(resumed.err()).as(resumed.toString()).doesNotContain("next for globex");
        CliFixture.assertExactly(url, dir.resolve("v3.json"), List.of("globex"));
    }

    /**
     * Found by probing: while the newest migrate-all run was unfinished (still running, or cancelled before it had taken
     * every org), an org restored from a backup older than the last finished rollout got no catch-up from restore or orgs
     * show and no schema_behind from verify: the unfinished run hid every older one. The last finished rollout still
     * counts, and the hint names the unfinished run for what it is.
     */
    @Test
    void anUnfinishedNewerRolloutDoesNotHideTheLastFinishedOne(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = backedUpBeforeARollout(url, dir);
        String v2 = SchemaManifest.load(dir.resolve("v2.json")).hash();
        Cli.Result detached = ok(cli, "migrate-all", "--schema", write(dir, "v3.json", V2_CONFLICT).toString(), "--detach");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("run (\\S+) created").matcher(detached.out());
        assertThat(m.find()).as(detached.toString()).isTrue();
        String v3Run = m.group(1);
        String fix = "tenantctl migrate-all --org acme --schema-hash " + v2;

        JsonNode restored = strictJson(ok(cli, "restore", "--org", "acme", "-o", "json"));
        CliFixture.assertExactly(url, dir.resolve("v1.json"), List.of("acme"));
        assertThat(restored.get("next").asText()).as(restored.toString()).startsWith(fix + "   (")
                .contains("run " + v3Run, "still running");
        assertThat(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).get("next").asText()).startsWith(fix).contains(v3Run);
        Cli.Result r = cli.run("verify", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        List<JsonNode> behind = findings(strictJson(r), "schema_behind");
        assertThat(behind).extracting(f -> f.get("org_id").asText()).as(r.toString()).containsExactly("acme");
        assertThat(behind.get(0).get("fix").asText()).isEqualTo(fix);
        assertThat(behind.get(0).get("fix_note").asText()).contains("run " + v3Run, "still running");

        ok(cli, "runs", "cancel", v3Run); // before it took any org
        JsonNode cancelled = strictJson(ok(cli, "orgs", "show", "acme", "-o", "json"));
        assertThat(cancelled.get("next").asText()).as(cancelled.toString()).startsWith(fix).contains("cancelled before it had taken every org");
        ok(cli, fix.substring("tenantctl ".length()).split(" "));
        CliFixture.assertExactly(url, dir.resolve("v2.json"), List.of("acme"));
        JsonNode after = strictJson(ok(cli, "verify", "-o", "json"));
        assertThat(findings(after, "schema_behind")).as(after.toString()).isEmpty();
        assertThat(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).has("next")).isFalse();
    }

    /** acme and globex provisioned with v1 on pool-a, then v2 rolled out while acme was suspended; returns v2's hash. */
    /**
     * Found by a probing helper: a verify that ran while a rollout did reported every org the rollout had migrated after
     * verify read the orgs as schema_behind (exit 4, recorded as new findings, each with a migrate-all to run): it read
     * the orgs when it began and the rollout's status at its end, by when the rollout had ended.
     */
    @Test
    void aRolloutThatEndsWhileVerifyRunsLeavesNoOrgBehind(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        v1Fleet(cli, dir, "acme", "globex");
        String v2 = write(dir, "v2.json", V2_ADD).toString();
        // the whole rollout runs once verify has read the orgs, before it has looked at their databases
        java.util.concurrent.atomic.AtomicBoolean rolledOut = new java.util.concurrent.atomic.AtomicBoolean();
        Cli verifying = Cli.withCatalog(url).decoratePools(real -> io.tenantctl.testing.HookedPools.onCommand(real, (db, cmd) -> {
            if (rolledOut.compareAndSet(false, true)) {
                ok(cli, "migrate-all", "--schema", v2);
            }
        }));

        Cli.Result verify = verifying.run("verify", "-o", "json");

        assertThat(rolledOut).isTrue();
        assertThat(findings(strictJson(verify), "schema_behind")).as("%s", verify).isEmpty();
        CliFixture.assertExactly(url, dir.resolve("v2.json"), List.of("acme", "globex"));
    }

    /** acme on v1 (dir/v1.json) with a store, backed up, then a rollout of v2 (dir/v2.json): its backup is from before it. */
    private Cli backedUpBeforeARollout(String url, Path dir) {
        Cli cli = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test",
                "TENANTCTL_STORE", dir.resolve("store").toUri().toString()));
        v1Fleet(cli, dir, "acme");
        ok(cli, "backup", "--org", "acme");
        ok(cli, "migrate-all", "--schema", write(dir, "v2.json", V2_ADD).toString());
        return cli;
    }

    /** pool-a with {@code orgs} provisioned on the v1 manifest. */
    private void v1Fleet(Cli cli, Path dir, String... orgs) {
        CliFixture.addPool(cli, "pool-a", pools.uri(0), 10, 1);
        MigrateAllFixture.provision(cli, write(dir, "v1.json", V1), List.of(orgs));
    }

    private String rolloutPassingOverSuspendedAcme(Cli cli, Path dir) {
        v1Fleet(cli, dir, "acme", "globex");
        ok(cli, "orgs", "suspend", "acme");
        return strictJson(ok(cli, "migrate-all", "--schema", write(dir, "v2.json", V2_ADD).toString(), "-o", "json"))
                .get("schema_hash").asText();
    }

}
