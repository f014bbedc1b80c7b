package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.IndexOptions;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.OnCallNextStepsTest.command;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team e and docs audit: verify's printed fixes, followed literally, do what they say ("Every finding has … the
 * exact command that fixes it"), and an ack silences only the finding it was given for. Each test breaks the fleet
 * behind tenantctl's back, runs {@code verify -o json}, runs the fix it prints as printed and checks what it did.
 */
@Timeout(180)
class VerifyFixesFollowedTest {

    @TempDir
    Path dir;

    /** The first finding of this kind (of this org, when org is not null) in verify's -o json output, or null. */
    private static JsonNode finding(Cli.Result verify, String kind, String org) {
        for (JsonNode x : strictJson(verify).get("findings")) {
            if (x.get("kind").asText().equals(kind) && (org == null || org.equals(x.path("org_id").asText()))) {
                return x;
            }
        }
        return null;
    }

    private static JsonNode finding(Cli.Result verify, String kind) {
        return finding(verify, kind, null);
    }

    /** The finding of this kind (of this org, when org is not null), failing the test when verify reported none. */
    private static JsonNode reported(Cli.Result verify, String kind, String org) {
        JsonNode found = finding(verify, kind, org);
        assertThat(found).as("no %s finding%s: %s", kind, org == null ? "" : " for " + org, verify).isNotNull();
        return found;
    }

    private static JsonNode reported(Cli.Result verify, String kind) {
        return reported(verify, kind, null);
    }

    /** The fix printed for the finding of this kind (of this org, when org is not null), failing the test when none. */
    private static String fix(Cli.Result verify, String kind, String org) {
        return reported(verify, kind, org).get("fix").asText();
    }

    private static String fix(Cli.Result verify, String kind) {
        return fix(verify, kind, null);
    }

    /** The note beside that fix (what it does, what comes then or instead; the whole way on when there is no command). */
    private static String note(Cli.Result verify, String kind, String org) {
        return reported(verify, kind, org).get("fix_note").asText();
    }

    /** The fix's command line, with the MANIFEST placeholder replaced by the manifest's path. */
    private static String[] withManifest(String fix, Path manifest) {
        return Arrays.stream(command(fix)).map(a -> a.equals("MANIFEST") ? manifest.toString() : a).toArray(String[]::new);
    }

    /**
     * verify's fixes for {@code schema_superseded} and {@code schema_conflict}, followed literally (MANIFEST being the
     * manifest the org recorded: the only one it can be, since the drift happened behind tenantctl's back and the org's
     * hash still matches it). migrate-all selects only orgs whose recorded hash differs from the manifest's, so the
     * printed {@code migrate-all --org ORG --schema MANIFEST [...]} reports the org "unchanged", exits 0, and the next
     * verify reports the same finding with the same fix, for ever. Only {@code --force} makes migrate-all look at the org.
     * <p>
     * Here: the application (Mongoose autoIndex) re-creates an index the manifest in force drops.
     */
    @Test
    void theSupersededFixFollowedDropsTheSupersededIndex() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            Path dropping = dir.resolve("dropping.json");
            Files.writeString(dropping, CliFixture.SMALL_SCHEMA.replace("\"name\": \"messages\",", "\"name\": \"messages\", \"drop\": [\"legacy_1\"],"));
            ok(f.cli, "migrate-all", "--org", "acme", "--schema", dropping.toString());
            f.db("acme").getCollection("messages").createIndex(new Document("legacy", 1), new IndexOptions().name("legacy_1"));

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            String fix = fix(v, "schema_superseded");

            Cli.Result followed = f.cli.run(withManifest(fix, dropping));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();

            Cli.Result again = f.cli.run("verify", "-o", "json");
            assertThat(finding(again, "schema_superseded"))
                    .as("after following '%s' (printed: %s) verify still reports the superseded index:%n%s", fix, followed.out(), again)
                    .isNull();
            assertThat(f.db("acme").getCollection("messages").listIndexes().into(new ArrayList<>()))
                    .extracting(d -> d.getString("name")).doesNotContain("legacy_1");
        }
    }

    /**
     * The same for {@code schema_conflict}'s fix (see {@link #theSupersededFixFollowedDropsTheSupersededIndex()}): someone
     * rebuilt users.email_1 by hand without its unique option: duplicates can now be written.
     */
    @Test
    void theConflictFixFollowedPutsTheManifestsIndexBack() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            f.db("acme").getCollection("users").dropIndex("email_1");
            f.db("acme").getCollection("users").createIndex(new Document("email", 1), new IndexOptions().name("email_1"));

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            String fix = fix(v, "schema_conflict");
            // "tenantctl schema diff acme --schema FILE", then (its note) "tenantctl migrate-all --org acme --schema FILE --replace-conflicting"
            assertThat(fix).startsWith("tenantctl schema diff acme");
            String note = note(v, "schema_conflict", null);
            assertThat(note).startsWith("then: ");
            String change = note.substring("then: ".length());

            Cli.Result followed = f.cli.run(withManifest(change, f.schema));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();

            Cli.Result again = f.cli.run("verify", "-o", "json");
            assertThat(finding(again, "schema_conflict"))
                    .as("after following '%s' (printed: %s) verify still reports the conflict:%n%s", change, followed.out(), again)
                    .isNull();
            List<Document> users = f.db("acme").getCollection("users").listIndexes().into(new ArrayList<>());
            assertThat(users).filteredOn(d -> "email_1".equals(d.getString("name"))).singleElement()
                    .satisfies(d -> assertThat(d.getBoolean("unique", false)).as("the unique constraint is back").isTrue());
        }
    }

    /**
     * A finding's id is a hash of its kind, org, pool and subject, and the subject of an org's schema findings is
     * empty — so every {@code schema_missing} of an org is the same finding, whatever is missing. An on-call engineer
     * acks one known, harmless gap (a secondary index dropped on purpose for a week); the next day the org loses its
     * unique {@code users.email_1} and a whole collection. verify lists the worse problem as {@code acked}, under the old
     * reason, and exits 0: the ack silenced a problem nobody acknowledged.
     */
    @Test
    void anAckOfOneMissingIndexDoesNotSilenceAMissingUniqueIndexAndCollectionFoundLater() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            f.db("acme").getCollection("users").dropIndex("tenant_1_role_1"); // on purpose: a load test, put back next week

            Cli.Result first = f.cli.run("verify", "-o", "json");
            assertThat(first.exitCode()).as(first.toString()).isEqualTo(4);
            JsonNode acked = reported(first, "schema_missing");
            assertThat(acked.get("detail").asText()).contains("users.tenant_1_role_1");
            ok(f.cli, "verify", "ack", acked.get("finding_id").asText(), "--until", "7d", "--reason",
                    "tenant_1_role_1 dropped for the load test, rebuilt next week");
            assertThat(f.cli.run("verify").exitCode()).as("the acked gap alone: exit 0").isZero();

            // the next day: the unique email index and the whole messages collection are gone
            f.db("acme").getCollection("users").dropIndex("email_1");
            f.db("acme").getCollection("messages").drop();

            Cli.Result later = f.cli.run("verify", "-o", "json");
            JsonNode now = reported(later, "schema_missing");
            assertThat(now.get("detail").asText()).contains("users.email_1").contains("messages");
            assertThat(later.exitCode())
                    .as("a problem nobody acknowledged (%s) must make verify exit 4, not hide under the ack for '%s':%n%s",
                            now.get("detail").asText(), "tenant_1_role_1", later)
                    .isEqualTo(4);
            assertThat(now.get("state").asText()).isNotEqualTo("acked");
        }
    }

    /**
     * {@code pool_over_capacity}'s fix is {@code tenantctl rebalance plan --pool P (then apply it)}. But
     * {@code rebalance plan --pool} means "only these pools, as sources and targets": with the over-full pool alone in
     * scope there is nowhere to move its orgs, so the plan followed literally has no move, while another pool has plenty
     * of room.
     */
    @Test
    void theOverCapacityFixPlansMovesOffThePool() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex", "initech");
            for (String org : List.of("acme", "globex", "initech")) {
                f.backup(org);
            }
            sql(f.catalogUrl, "update pools set capacity = 1 where pool_id = 'pool-0'"); // lowered: the pool's PostgreSQL is struggling

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            String fix = fix(v, "pool_over_capacity");

            List<String> args = new ArrayList<>(List.of(command(fix)));
            args.addAll(List.of("-o", "json"));
            Cli.Result plan = f.cli.run(args.toArray(String[]::new));
            assertThat(plan.exitCode()).as(plan.toString()).isZero();
            List<String> off = new ArrayList<>();
            strictJson(plan).get("moves").forEach(m -> {
                if (m.get("from_pool").asText().equals("pool-0")) {
                    off.add(m.get("org_id").asText());
                }
            });
            assertThat(off).as("'%s' (pool-0 holds 3 orgs, capacity 1; pool-1 is empty with room for 100) must plan moves off pool-0:%n%s",
                    fix, plan.out()).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    /**
     * An org stuck {@code provisioning} (its provision's process died) is reported {@code org_stuck} with the fix
     * {@code tenantctl provision ORG (resumes it; …)}. The fleet runs its own manifest ({@code provision --schema FILE},
     * as a deploy pipeline does); the printed command has no {@code --schema}, so followed literally it finishes the org
     * with the built-in LibreChat model — 47 collections and 290 indexes the application does not use — and records that
     * manifest's hash, different from every other org's. README: "A next step carries what the command was given
     * (--schema, --tier, --pool)"; the run that provisioned the org recorded its manifest.
     */
    @Test
    void theStuckProvisioningFixFinishesTheOrgWithTheManifestItWasProvisionedWith() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            // newco's provision (same manifest) gets half-way; its process dies before it can record anything
            Cli dying = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test")).decoratePools(real ->
                    HookedPools.onCommand(real, (db, cmd) -> {
                        if (db.equals("org_newco") && HookedPools.is(cmd, "createIndexes")) {
                            throw HookedPools.commandError(2, "injected: the node went away");
                        }
                    }));
            dying.run("provision", "--schema", f.schema.toString(), "--pool", "pool-0", "newco");
            sql(f.catalogUrl, "update orgs set status = 'provisioning', updated_at = now() - interval '2 hours' where org_id = 'newco'");

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            String fix = fix(v, "org_stuck", "newco");
            String runId = strictJson(ok(f.cli, "runs", "list", "--verb", "provision", "-o", "json")).get("runs").get(0).get("run_id").asText();
            assertThat(fix).as("its run failed on newco: resumed").startsWith("tenantctl provision --resume " + runId);

            Cli.Result followed = f.cli.run(command(fix));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();

            JsonNode newco = f.org("newco");
            assertThat(newco.get("status").asText()).isEqualTo("active");
            assertThat(newco.get("schema_hash").asText())
                    .as("following '%s' must finish newco with the manifest it was provisioned with (acme's), not the built-in model", fix)
                    .isEqualTo(f.org("acme").get("schema_hash").asText());
            List<String> collections = f.db("newco").listCollectionNames().into(new ArrayList<>());
            assertThat(collections).as("newco's collections").containsExactlyInAnyOrder("users", "messages");
        }
    }

    /**
     * For a retained copy past its grace ({@code retained_copy_overdue}) verify prints
     * {@code tenantctl rebalance gc --older-than <grace in whole days>d}.
     * <p>
     * {@code verify --retired-grace 12h} (documented option): the fix for an overdue copy is truncated to whole days,
     * {@code rebalance gc --older-than 0d}, which drops every retired database fleet-wide, also those retired minutes ago
     * that verify itself just called informational, inside the 12 h grace. Here that is the database an earlier restore
     * replaced, which holds the only copy of a write made after the backup the restore used.
     */
    @Test
    void theOverdueFixUnderAShortRetiredGraceDoesNotDropCopiesInsideThatGrace() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.backup("globex");
            ok(f.cli, "restore", "--org", "globex"); // org_globex retired ...
            sql(f.catalogUrl, "update retired_databases set retired_at = now() - interval '13 hours' where database_name = 'org_globex'");

            f.notes("acme", "notes", 3);
            f.backup("acme");
            f.db("acme").getCollection("notes").insertOne(new Document("_id", "late").append("text", "written after the backup"));
            ok(f.cli, "restore", "--org", "acme"); // org_acme, holding 'late', retired just now: inside any grace

            Cli.Result v = f.cli.run("verify", "--retired-grace", "12h", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            String fix = fix(v, "retained_copy_overdue", "globex");

            Cli.Result followed = f.cli.run(command(fix));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();
            assertThat(f.databaseNames("pool-0"))
                    .as("following '%s' must not drop acme's replaced database, which verify called within its 12 h grace:%n%s", fix, followed)
                    .contains("org_acme");
        }
    }

    /**
     * A move's retained source that a stale client wrote to after the move is kept by gc until the writes are merged
     * and {@code --drop-changed POOL/DATABASE} is passed. Past its grace verify reports it as a problem with the fix
     * {@code rebalance gc --older-than 7d}: followed, gc keeps it again (exit 0, "dropped 0"), and verify reports the
     * same finding with the same fix, forever. The fix must name what it takes: the merge and --drop-changed.
     */
    @Test
    void theOverdueFixForASourceWrittenSinceItsMoveSaysWhatClearsIt() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 10);
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            f.database("pool-0", "org_acme").getCollection("a_notes").insertOne(new Document("_id", "late order")); // stale routing
            sql(f.catalogUrl, "update retired_databases set retired_at = now() - interval '8 days' where database_name = 'org_acme'");

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            String fix = fix(v, "retained_copy_overdue", "acme");
            Cli.Result followed = f.cli.run(command(fix));
            // gc keeps it for a person (merge, then --drop-changed) and says so: exit 1, as purge's kept
            assertThat(followed.exitCode()).as(followed.toString()).isEqualTo(1);
            assertThat(followed.out()).as(followed.toString()).contains("1 kept for a person to look at");

            Cli.Result again = f.cli.run("verify", "-o", "json");
            boolean resolved = strictJson(again).get("findings").findValuesAsText("kind").stream().noneMatch("retained_copy_overdue"::equals);
            assertThat(resolved || note(again, "retained_copy_overdue", "acme").contains("--drop-changed pool-0/org_acme"))
                    .as("after following '%s' (%s) the finding is either gone or its fix says what gc needs:%n%s", fix, followed.out(), again)
                    .isTrue();
            assertThat(f.databaseNames("pool-0")).as("the late write is still kept").contains("org_acme");
        }
    }

    /**
     * A database lost with no backup recorded: verify's usual fix, 'restore --org', would only say "no complete backup".
     * The fix says where the data could still be and how to give the org an empty database; followed, verify is clean.
     * Found on call: that way was prose ('make it by hand on pool pool-0 (mongosh: db.getSiblingDB(…)…), then: tenantctl
     * migrate-all … --force'), naming no server to connect to; no tenantctl verb makes an empty database for an active
     * org (provision leaves it unchanged, a rollout refuses), so it is now one line to paste: mongosh on the pool's own
     * URI (its ${VAR}s left to the shell), then the rollout.
     */
    @Test
    void theMissingDatabaseFixOfAnOrgWithNoBackupIsNotARestoreThatCannotWork() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.db("acme").drop();

            Cli.Result v = f.cli.run("verify", "--org", "acme", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            JsonNode missing = reported(v, "missing_database", "acme");
            assertThat(missing.get("detail").asText()).contains("no complete backup");
            assertThat(missing.get("fix").isNull()).as("the data is to look for by hand first: no command").isTrue();
            String fix = missing.get("fix_note").asText();
            assertThat(fix).doesNotStartWith("tenantctl restore");
            java.util.regex.Matcher line = java.util.regex.Pattern.compile("mongosh \"([^\"]+)\" --quiet --eval "
                    + "'db\\.getSiblingDB\\(\"([^\"]+)\"\\)\\.createCollection\\(\"([^\"]+)\"\\)' && (tenantctl migrate-all [^;]*)$").matcher(fix);
            assertThat(line.find()).as("one line to paste: %s", fix).isTrue();
            assertThat(line.group(1)).isEqualTo(f.pools.uri(0));
            assertThat(line.group(2)).isEqualTo("org_acme");
            // mongosh's command as printed, sent through the driver (no mongosh here): a rollout makes no empty database
            try (com.mongodb.client.MongoClient client = com.mongodb.client.MongoClients.create(line.group(1))) {
                client.getDatabase(line.group(2)).createCollection(line.group(3));
            }

            Cli.Result followed = f.cli.run(withManifest(line.group(4), f.schema));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();
            Cli.Result again = f.cli.run("verify", "--org", "acme", "-o", "json");
            // what is left is the premise, no backup, with its own fix; followed too, verify is clean
            assertThat(strictJson(again).get("findings").findValuesAsText("kind")).as(again.toString()).containsExactly("backup_stale");
            CliFixture.followNextStep(f.cli, fix(again, "backup_stale", "acme"));
            Cli.Result clean = f.cli.run("verify", "--org", "acme", "-o", "json");
            assertThat(clean.exitCode()).as(clean.toString()).isZero();
        }
    }
}
