package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.ids;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.sql;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.commandError;
import static io.tenantctl.cli.MigrateAllFixture.hashes;
import static io.tenantctl.cli.MigrateAllFixture.hooked;
import static io.tenantctl.cli.MigrateAllFixture.isCreateIndexes;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team, pass 3: what the on-call engineer is told to run next (a failed org's {@code next:}, a finding's
 * {@code fix:}), followed literally, and whether it really moves things on without doing the wrong thing.
 */
@Timeout(120)
class OnCallNextStepsTest {

    private final TestPools pools = new TestPools(2);

    @AfterEach
    void stop() {
        pools.close();
    }

    /** The command part of a next step / fix line ("tenantctl …   (note)"), split into arguments (single quotes honoured). */
    static String[] command(String step) {
        String cmd = step.split(" {3}\\(")[0].trim();
        assertThat(cmd).as("a runnable command: " + step).startsWith("tenantctl ");
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(cmd.substring("tenantctl ".length()));
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return out.toArray(String[]::new);
    }

    private static Cli failingCreateIndexes(String url, Set<String> orgs) {
        return Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
            if (isCreateIndexes(cmd) && orgs.stream().map(MigrateAllFixture::db).anyMatch(db::equals)) {
                throw commandError(2, "injected: bad index spec");
            }
        }));
    }

    /**
     * verify's fix for a {@code move_leftover} is {@code rebalance gc --older-than 0}. gc drops an aborted move's
     * target whatever --older-than says, so the "0" only widens the blast radius: it also drops every retained
     * move source and every database a restore replaced, fleet-wide, inside their 7-day grace. Here the database an
     * hour-old restore replaced still holds the only copy of a write made after the backup (the restore was of the
     * wrong backup); following the move_leftover fix destroys it.
     */
    @Test
    void moveLeftoverFix_doesNotDropOtherOrgsRetainedCopiesInsideTheirGrace(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 3);
            f.backup("acme");
            f.db("acme").getCollection("notes").insertOne(new Document("_id", "late").append("text", "written after the backup"));
            ok(f.cli, "restore", "--org", "acme"); // org_acme (holding 'late') is retired and kept for its grace
            assertThat(f.database("pool-0", "org_acme").getCollection("notes").countDocuments(new Document("_id", "late"))).isOne();

            // an aborted move of globex whose target was left behind
            f.database("pool-1", "org_globex__m9").createCollection("notes"); // what the move had begun to copy
            sql(f.catalogUrl, "insert into moves (move_id, org_id, from_pool, from_database, to_pool, to_database, state, prior_status) "
                    + "values ('m-test', 'globex', 'pool-0', 'org_globex', 'pool-1', 'org_globex__m9', 'aborted', 'active')");

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            String fix = null;
            for (JsonNode x : strictJson(v).get("findings")) {
                if (x.get("kind").asText().equals("move_leftover")) {
                    fix = x.get("fix").asText();
                }
            }
            assertThat(fix).as("move_leftover finding").isNotNull();

            Cli.Result followed = f.cli.run(command(fix));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();
            assertThat(f.databaseNames("pool-1")).as("the leftover is gone").doesNotContain("org_globex__m9");
            assertThat(f.databaseNames("pool-0"))
                    .as("the fix for globex's move leftover must not drop acme's replaced database inside its grace:\n" + followed)
                    .contains("org_acme");
        }
    }

    /**
     * migrate-all --resume RUN (the documented recovery, no --schema: the run's manifest comes from the catalog) prints
     * for a still-failing org {@code next: tenantctl migrate-all --org o3} — without the run's manifest. Followed, it
     * rolls out the built-in LibreChat model (47 collections, 290 indexes) onto an org of a v2 fleet.
     */
    @Test
    void aResumedMigrateAllsNextStepRollsOutTheRunsManifest_notTheBuiltInOne(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-a", pools.uri(0), 100, 1);
        List<String> orgs = ids("o", 0, 4);
        MigrateAllFixture.provision(cli, write(dir, "v1.json", V1), orgs);
        Path v2 = write(dir, "v2.json", V2_ADD);

        Cli.Result first = failingCreateIndexes(url, Set.of("o3")).run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
        String runId = strictJson(first).get("run_id").asText();
        String v2Hash = strictJson(first).get("schema_hash").asText();

        Cli.Result resumed = failingCreateIndexes(url, Set.of("o3")).run("migrate-all", "--resume", runId, "-o", "json");
        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(1);
        String next = strictJson(resumed).get("failed").get(0).get("next_step").asText();

        // the cause is mended; the on-call engineer runs what they were told
        Cli.Result followed = cli.run(command(next));
        assertThat(followed.exitCode()).as(followed.toString()).isZero();
        assertThat(hashes(cli).get("o3")).as("next step '" + next + "' must finish o3 with the run's manifest (v2)").isEqualTo(v2Hash);
    }

    /** The same for provision --resume (which refuses --schema): the failed org's next step provisions the built-in model. */
    @Test
    void aResumedProvisionsNextStepUsesTheRunsManifest_notTheBuiltInOne(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-a", pools.uri(0), 100, 1);
        Path v1 = write(dir, "v1.json", V1);

        Cli.Result first = failingCreateIndexes(url, Set.of("p2")).run("provision", "p1", "p2", "--schema", v1.toString(), "-o", "json");
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
        String runId = strictJson(first).get("run_id").asText();
        String v1Hash = strictJson(first).get("schema_hash").asText();

        Cli.Result resumed = failingCreateIndexes(url, Set.of("p2")).run("provision", "--resume", runId, "-o", "json");
        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(1);
        String next = strictJson(resumed).get("failed").get(0).get("next_step").asText();

        Cli.Result followed = cli.run(command(next));
        assertThat(followed.exitCode()).as(followed.toString()).isZero();
        assertThat(hashes(cli).get("p2")).as("next step '" + next + "' must finish p2 with the run's manifest (v1)").isEqualTo(v1Hash);
    }

    /**
     * provision --tier enterprise into a full fleet: "no capacity", and the next step is
     * {@code pools add … , then: tenantctl provision ORG --schema FILE} — without --tier. Followed, the org is created
     * on the free tier: weekly backups kept 14 days instead of every 4 h kept 90 days.
     */
    @Test
    void noCapacityNextStepKeepsTheTierAskedFor(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-a", pools.uri(0), 1, 1);
        Path v1 = write(dir, "v1.json", V1);
        ok(cli, "provision", "first", "--schema", v1.toString());

        Cli.Result r = cli.run("provision", "bigcorp", "--tier", "enterprise", "--schema", v1.toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        String next = strictJson(r).get("failed").get(0).get("next_note").asText(); // a pool to add first: all in the note
        assertThat(next).contains("then: tenantctl provision bigcorp");

        CliFixture.addPool(cli, "pool-b", pools.uri(1), 10, 2); // "pools add …"
        Cli.Result followed = cli.run(command(next.substring(next.indexOf("then: ") + "then: ".length())));
        assertThat(followed.exitCode()).as(followed.toString()).isZero();
        JsonNode org = strictJson(ok(cli, "orgs", "show", "bigcorp", "-o", "json"));
        assertThat(org.get("tier").asText()).as("next step '" + next + "'").isEqualTo("enterprise");
    }

    /**
     * gc keeps a retained source written after its move, saying "merge them into org acme, then 'tenantctl rebalance gc
     * --drop-changed'". But --drop-changed is fleet-wide: the engineer who merged acme's write and runs exactly that also
     * drops globex's retained source, whose late write nobody merged — the only copy of it.
     */
    @Test
    void dropChangedHintForOneOrgDoesNotDropAnotherOrgsUnmergedWrites(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 3);
            f.notes("globex", "notes", 3);
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            ok(f.cli, "rebalance", "move", "globex", "--to", "pool-1", "--freeze-grace", "0");
            // stale clients write to both retained sources
            f.database("pool-0", "org_acme").getCollection("notes").insertOne(new Document("_id", "late-acme"));
            f.database("pool-0", "org_globex").getCollection("notes").insertOne(new Document("_id", "late-globex"));
            sql(f.catalogUrl, "update retired_databases set retired_at = now() - interval '8 days'"); // the weekly gc's turn

            JsonNode gc = strictJson(CliFixture.keptForAPerson(f.cli, "rebalance", "gc", "-o", "json"));
            String hint = null;
            for (JsonNode item : gc.get("items")) {
                assertThat(item.get("action").asText()).as(gc.toString()).isEqualTo("kept");
                if (item.get("org_id").asText().equals("acme")) {
                    hint = item.get("detail").asText();
                }
            }
            assertThat(hint).as(gc.toString()).contains("merge them into org acme");

            // the engineer merges acme's write, then runs what the hint says
            f.db("acme").getCollection("notes").insertOne(new Document("_id", "late-acme"));
            String step = hint.substring(hint.indexOf("'tenantctl ") + 1, hint.lastIndexOf('\''));
            Cli.Result followed = f.cli.run(command(step));
            // acme's source dropped; globex's still kept for a person: exit 1, as purge's kept
            assertThat(followed.exitCode()).as(followed.toString()).isEqualTo(1);
            assertThat(followed.out()).as(followed.toString()).contains("dropped 1 database; 1 kept for a person to look at");
            assertThat(f.databaseNames("pool-0")).as("acme's merged source may go").doesNotContain("org_acme");
            assertThat(f.databaseNames("pool-0"))
                    .as("globex's source still holds its only copy of 'late-globex', which nobody merged; '" + step + "' dropped it:\n" + followed)
                    .contains("org_globex");
        }
    }

    /**
     * verify run while a restore is copying: the restore's fresh database is reported {@code stray_copy}, a problem,
     * "no move or restore recorded this copy" (false: the restore holds the org's lease and is writing into it), with
     * the fix "once it is not needed, drop it on the pool: db.getSiblingDB('…').dropDatabase()". Verify skips the
     * targets of moves in flight, but not of restores in flight.
     */
    @Test
    void verifyDuringARestoreDoesNotTellTheEngineerToDropTheRestoresTarget(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            f.backup("acme");
            BackupFixture.HeldAtCreate held = f.holdCreate(db -> db.startsWith("org_acme__r"), 2);
            java.util.concurrent.CompletableFuture<Cli.Result> restore = held.cli().start("restore", "--org", "acme");
            try {
                assertThat(held.awaitReached()).as("the restore is copying").isTrue();
                Cli.Result v = f.cli.run("verify", "-o", "json");
                List<String> strays = new ArrayList<>();
                for (JsonNode x : strictJson(v).get("findings")) {
                    if (x.get("kind").asText().equals("stray_copy") || x.get("kind").asText().equals("orphan_database")) {
                        strays.add(x.toString());
                    }
                }
                assertThat(strays).as("a restore in flight is not a stray copy to drop").isEmpty();
            } finally {
                held.release();
            }
            Cli.Result done = restore.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(done.exitCode()).as(done.toString()).isZero();
        }
    }

    /**
     * A restore into a fresh database on another pool ({@code --target-pool pool-1}, say pool-0 is full or failing) is
     * interrupted. {@code runs list} gives the restore to run again — without --target-pool, so following it restores
     * onto the org's own pool, the one the engineer chose to avoid.
     */
    @Test
    void anInterruptedRestoresContinuationKeepsItsTargetPool(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 1500);
            f.notes("acme", "b_notes", 10);
            String id = f.backup("acme");
            io.tenantctl.fanout.CancelToken cancel = new io.tenantctl.fanout.CancelToken();
            Cli interrupting = f.cli.decoratePools(real -> io.tenantctl.testing.HookedPools.onCommand(real, (db, cmd) -> {
                if (io.tenantctl.testing.HookedPools.is(cmd, "create") && "b_notes".equals(cmd.getString("create"))) {
                    cancel.cancel("SIGINT");
                }
            }));
            Cli.Result r = interrupting.run(cancel, "restore", "--org", "acme", "--backup", id, "--target-pool", "pool-1");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);

            JsonNode last = strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs").get(0);
            assertThat(last.get("status").asText()).as(last.toString()).isEqualTo("interrupted");
            String next = last.get("next_step").asText();
            Cli.Result followed = f.cli.run(command(next));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();
            assertThat(f.org("acme").get("pool_id").asText()).as("runs list said: " + next).isEqualTo("pool-1");
        }
    }
}
