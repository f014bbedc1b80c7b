package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.DynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seeded crash suite (issue 14): tenantctl as a child process, killed with SIGKILL at a point drawn from a seeded
 * {@link java.util.Random} — an observable progress threshold ("after K of the run's orgs finished", "after N documents
 * in the target"), so every seed lands mid-work — during provision, migrate-all, backup, restore (fresh, --to-org,
 * --in-place --drop-existing) and rebalance apply, on two pools with real data. Then the documented recovery (the dead
 * holder's leases and heartbeats expired by SQL, standing in for the 60 s wait; then {@code --resume RUN_ID}, the same
 * command again, or {@code rebalance resume}) and the clean end state: every org's documents equal to the expected set,
 * its schema whole, no org transitional, no pool over capacity, no run left running, {@code verify} exit 0 with no
 * problem finding.
 *
 * <p>Replay a failure with the seed its message prints: {@code scripts/test -Dtest=CrashSuiteTest -Dcrash.verb=VERB
 * -Dcrash.seed=N}. {@link CrashSuiteTest} runs one seed per verb; {@link CrashSuiteSlowTest} ({@code scripts/test --slow})
 * runs {@code crash.seeds} (default 20) per verb from {@code crash.base} (default 1).
 */
final class CrashSuite {

    /** The verbs (and restore modes) the suite kills, as -Dcrash.verb names them. */
    static final List<String> VERBS = List.of("provision", "migrate-all", "backup", "restore-fresh", "restore-to-org", "restore-in-place",
            "rebalance-apply");

    /** Twelve extra collections of four indexes each: enough per-org work that a run of 24 orgs is observable mid-way. */
    static final String BIG_SCHEMA = bigSchema();

    private CrashSuite() {
    }

    /** One dynamic test per verb and seed; -Dcrash.seed and -Dcrash.verb narrow it to one replay. */
    static Stream<DynamicTest> tests(long[] seeds, Path tmp) {
        String onlyVerb = System.getProperty("crash.verb");
        String onlySeed = System.getProperty("crash.seed");
        long[] run = onlySeed != null && !onlySeed.isBlank() ? new long[]{Long.parseLong(onlySeed.trim())} : seeds;
        return VERBS.stream().filter(v -> onlyVerb == null || onlyVerb.isBlank() || onlyVerb.equals(v))
                .flatMap(verb -> Arrays.stream(run).mapToObj(seed -> DynamicTest.dynamicTest(verb + " seed " + seed,
                        () -> runOne(verb, seed, tmp.resolve(verb + "-" + seed)))));
    }

    static long[] slowSeeds() {
        long base = Long.getLong("crash.base", 1);
        int n = Integer.getInteger("crash.seeds", 20);
        return LongStream.range(base, base + n).toArray();
    }

    static void runOne(String verb, long seed, Path dir) throws Exception {
        Files.createDirectories(dir);
        Scenario s = new Scenario(verb, seed, dir);
        long t0 = System.nanoTime();
        try {
            switch (verb) {
                case "provision" -> s.provision();
                case "migrate-all" -> s.migrateAll();
                case "backup" -> s.backup();
                case "restore-fresh", "restore-to-org", "restore-in-place" -> s.restore(verb.substring("restore-".length()));
                case "rebalance-apply" -> s.rebalanceApply();
                default -> throw new IllegalArgumentException(verb);
            }
        } catch (Throwable e) {
            String childErr = Files.exists(dir.resolve("child.stderr")) ? Files.readString(dir.resolve("child.stderr")) : "";
            throw new AssertionError("crash seed " + seed + " (" + verb + ", killed " + s.killPoint + ") failed; replay: scripts/test "
                    + "-Dtest=CrashSuiteTest -Dcrash.verb=" + verb + " -Dcrash.seed=" + seed + "\n" + e.getMessage()
                    + "\n--- killed child's stderr (tail) ---\n" + tail(childErr, 3000), e);
        } finally {
            System.out.printf(Locale.ROOT, "crash %s seed %d: killed %s; %d ms%n", verb, seed, s.killPoint,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : "…" + s.substring(s.length() - n);
    }

    private static String bigSchema() {
        StringBuilder b = new StringBuilder("{\"collections\": [\n");
        b.append("""
                  {"name": "users", "indexes": [
                    {"name": "email_1", "key": {"email": 1}, "unique": true},
                    {"name": "tenant_1_role_1", "key": {"tenant": 1, "role": 1}}
                  ]},
                  {"name": "messages", "indexes": [
                    {"name": "conv_1_created_-1", "key": {"conversationId": 1, "createdAt": -1}}
                  ]}""");
        for (int i = 0; i < 12; i++) {
            b.append(String.format(Locale.ROOT, """
                    ,
                      {"name": "c%02d", "indexes": [
                        {"name": "a_1", "key": {"a": 1}},
                        {"name": "b_1_c_-1", "key": {"b": 1, "c": -1}},
                        {"name": "k_1", "key": {"k": 1}, "unique": true, "sparse": true},
                        {"name": "t_1", "key": {"t": 1}, "expireAfterSeconds": 86400}
                      ]}""", i));
        }
        return b.append("\n]}\n").toString();
    }

    /** One verb killed at one seed's point, recovered and checked. */
    private static final class Scenario {
        final String verb;
        final long seed;
        final java.util.Random rnd;
        final Path dir;
        String killPoint = "(not yet)";

        Scenario(String verb, long seed, Path dir) {
            this.verb = verb;
            this.seed = seed;
            this.rnd = new java.util.Random(seed * 1_000_003L + verb.hashCode());
            this.dir = dir;
        }

        // ---------------------------------------------------------------- provision

        /** 20 orgs, fill-then-spill over two pools of 12, killed after K of them finished; recovery: provision --resume RUN. */
        void provision() throws Exception {
            try (BackupFixture f = new BackupFixture(2, dir, storeEnv(dir), 12)) {
                Path big = writeBig();
                List<String> orgs = CliFixture.ids("p", 10, 30);
                int k = rnd.nextInt(orgs.size() - 4); // 0…15 of 20 finished
                Set<String> before = runIds(f);
                List<String> args = new ArrayList<>(List.of("provision", "--schema", big.toString()));
                args.addAll(orgs);
                Process child = start(f, args);
                killWhen(child, () -> finishedItems(f, before) >= k, "after " + k + " of " + orgs.size() + " orgs provisioned");
                String runId = deadRun(f, "provision");
                ok(f.cli, "provision", "--resume", runId, "-o", "json");
                Map<String, Map<String, List<RawBsonDocument>>> expected = new TreeMap<>();
                Map<String, List<RawBsonDocument>> empty = emptyCollections(big);
                orgs.forEach(o -> expected.put(o, empty));
                assertCleanEnd(f, expected, big, false);
            }
        }

        // ---------------------------------------------------------------- migrate-all

        /** 14 orgs with data on two pools, migrated to a schema of 12 more collections, killed after K; migrate-all --resume RUN. */
        void migrateAll() throws Exception {
            try (BackupFixture f = new BackupFixture(2, dir, storeEnv(dir), 100)) {
                Path big = writeBig();
                List<String> orgs = CliFixture.ids("m", 10, 24);
                f.provisionTier("free", "pool-0", orgs.subList(0, 7).toArray(String[]::new));
                f.provisionTier("free", "pool-1", orgs.subList(7, 14).toArray(String[]::new));
                Map<String, Map<String, List<RawBsonDocument>>> expected = new TreeMap<>();
                for (String o : orgs) {
                    seedMessages(f, o, 200);
                    expected.put(o, withEmpty(BackupFixture.contents(f.db(o)), big));
                }
                int k = rnd.nextInt(orgs.size() - 4);
                Set<String> before = runIds(f);
                Process child = start(f, List.of("migrate-all", "--schema", big.toString()));
                killWhen(child, () -> finishedItems(f, before) >= k, "after " + k + " of " + orgs.size() + " orgs migrated");
                String runId = deadRun(f, "migrate-all");
                ok(f.cli, "migrate-all", "--resume", runId, "-o", "json");
                assertCleanEnd(f, expected, big, false);
            }
        }

        // ---------------------------------------------------------------- backup

        /** 10 orgs with 2,000 notes each on two pools, backup --all (with --freeze on half the seeds), killed after K; backup --resume RUN. */
        void backup() throws Exception {
            try (BackupFixture f = new BackupFixture(2, dir, storeEnv(dir), 100)) {
                List<String> orgs = CliFixture.ids("b", 10, 20);
                f.provisionTier("free", "pool-0", orgs.subList(0, 5).toArray(String[]::new));
                f.provisionTier("free", "pool-1", orgs.subList(5, 10).toArray(String[]::new));
                Map<String, Map<String, List<RawBsonDocument>>> expected = new TreeMap<>();
                for (String o : orgs) {
                    f.seedNotes(o, 2000);
                    expected.put(o, BackupFixture.contents(f.db(o)));
                }
                int k = rnd.nextInt(orgs.size() - 3);
                boolean freeze = rnd.nextBoolean();
                Set<String> before = runIds(f);
                List<String> args = new ArrayList<>(List.of("backup", "--all"));
                if (freeze) {
                    args.add("--freeze");
                }
                Process child = start(f, args);
                killWhen(child, () -> finishedItems(f, before) >= k, "after " + k + " of " + orgs.size() + " orgs backed up"
                        + (freeze ? " (--freeze)" : ""));
                String runId = deadRun(f, "backup");
                ok(f.cli, "backup", "--resume", runId, "-o", "json");
                // every org has a complete backup that reads back to its documents
                for (String o : orgs) {
                    JsonNode list = strictJson(ok(f.cli, "backups", "list", "--org", o, "-o", "json"));
                    assertThat(list.toString()).as("%s's backups", o).contains("\"complete\"");
                }
                assertCleanEnd(f, expected, f.schema, true);
            }
        }

        // ---------------------------------------------------------------- restore

        /**
         * acme (20,000 notes, pool-0) and globex (2,000, pool-1) backed up, acme then changed; a restore of acme's backup
         * killed after N documents in its target (in-place: before its drop on a quarter of the seeds, else after the drop
         * and N documents); recovery: the same command again (it rolls the dead one back first).
         */
        void restore(String mode) throws Exception {
            try (BackupFixture f = new BackupFixture(2, dir, storeEnv(dir), 100)) {
                f.provisionTier("free", "pool-0", "acme");
                f.provisionTier("free", "pool-1", "globex");
                int total = 20_000;
                f.seedNotes("acme", total);
                f.seedNotes("globex", 2000);
                String backupId = f.backup("acme");
                f.backup("globex");
                Map<String, List<RawBsonDocument>> snapshot = BackupFixture.contents(f.db("acme"));
                // acme moves on after its backup: the restore must bring back the snapshot, not this
                com.mongodb.client.MongoCollection<Document> notes = f.db("acme").getCollection("notes");
                for (int i = total; i < total + 500; i++) {
                    notes.insertOne(new Document("_id", i).append("text", "after the backup " + i));
                }
                notes.updateOne(new Document("_id", 7), new Document("$set", new Document("text", "changed")));
                Map<String, List<RawBsonDocument>> changed = BackupFixture.contents(f.db("acme"));
                Map<String, Map<String, List<RawBsonDocument>>> expected = new TreeMap<>();
                expected.put("globex", BackupFixture.contents(f.db("globex")));

                List<String> args = new ArrayList<>(List.of("restore", "--org", "acme", "--backup", backupId));
                int n = rnd.nextInt(total - 3000); // documents in the target when killed
                BooleanSupplier reached;
                String targetOrg;
                switch (mode) {
                    case "fresh" -> {
                        targetOrg = "acme";
                        String fresh = "org_acme__r" + backupId.substring(0, 8) + backupId.substring(9, 15) + backupId.substring(17);
                        reached = () -> "restoring".equals(orgStatus(f, "acme")) && count(f, "pool-0", fresh) >= n;
                        killPoint = "after " + n + " of " + total + " documents in " + fresh;
                        expected.put("acme", snapshot);
                    }
                    case "to-org" -> {
                        targetOrg = "acme-copy";
                        args.addAll(List.of("--to-org", "acme-copy"));
                        reached = () -> "restoring".equals(orgStatus(f, "acme-copy"))
                                && count(f, "pool-0", "org_acme_copy") + count(f, "pool-1", "org_acme_copy") >= n;
                        killPoint = "after " + n + " of " + total + " documents in org_acme_copy";
                        expected.put("acme", changed);
                        expected.put("acme-copy", snapshot);
                    }
                    default -> {
                        targetOrg = "acme";
                        args.addAll(List.of("--in-place", "--drop-existing"));
                        boolean beforeDrop = rnd.nextInt(4) == 0;
                        long had = count(f, "pool-0", "org_acme");
                        boolean[] dropped = {false};
                        reached = beforeDrop
                                ? () -> "restoring".equals(orgStatus(f, "acme"))
                                : () -> {
                                    long c = count(f, "pool-0", "org_acme");
                                    dropped[0] |= c < had;
                                    return dropped[0] && c >= n;
                                };
                        killPoint = beforeDrop ? "as the in-place restore claimed acme (before its drop)"
                                : "after acme's database was dropped and " + n + " of " + total + " documents restored in place";
                        expected.put("acme", snapshot);
                    }
                }
                Process child = start(f, args);
                String point = killPoint;
                killWhen(child, reached, point);
                if (!mode.equals("to-org") || orgStatus(f, "acme-copy") != null) {
                    assertThat(orgStatus(f, targetOrg)).as("the killed restore left its org").isEqualTo("restoring");
                }
                expireLeases(f);
                ok(f.cli, args.toArray(String[]::new));
                assertCleanEnd(f, expected, f.schema, false);
            }
        }

        // ---------------------------------------------------------------- rebalance apply

        /**
         * Six orgs with 3,000 notes each on pool-0, pool-0 drained, the plan (all six to pool-1) applied and killed after N
         * documents reached pool-1; recovery: rebalance resume (rolls back or finishes the dead moves), then
         * rebalance apply --resume RUN for the moves it had not started.
         */
        void rebalanceApply() throws Exception {
            try (BackupFixture f = new BackupFixture(2, dir, storeEnv(dir), 8)) {
                List<String> orgs = CliFixture.ids("r", 10, 16);
                f.provisionTier("free", "pool-0", orgs.toArray(String[]::new));
                Map<String, Map<String, List<RawBsonDocument>>> expected = new TreeMap<>();
                for (String o : orgs) {
                    f.seedNotes(o, 3000);
                    expected.put(o, BackupFixture.contents(f.db(o)));
                }
                ok(f.cli, "pools", "drain", "pool-0");
                Cli.Result planned = ok(f.cli, "rebalance", "plan", "-o", "json");
                assertThat(strictJson(planned).get("moves")).hasSize(orgs.size());
                Path plan = dir.resolve("plan.json");
                Files.writeString(plan, planned.out());
                int total = 3000 * orgs.size();
                int n = rnd.nextInt(total - 4000);
                killPoint = "after " + n + " of " + total + " documents reached pool-1";
                Process child = start(f, List.of("rebalance", "apply", "--plan", plan.toString(), "--freeze-grace", "0"));
                killWhen(child, () -> orgs.stream().mapToLong(o -> count(f, "pool-1", "org_" + o)).sum() >= n, killPoint);
                String runId = deadRun(f, "rebalance");
                expireLeases(f);
                ok(f.cli, "rebalance", "resume");
                ok(f.cli, "rebalance", "apply", "--resume", runId, "-o", "json");
                assertCleanEnd(f, expected, f.schema, false);
                JsonNode moves = strictJson(ok(f.cli, "rebalance", "status", "-o", "json"));
                for (JsonNode m : moves) {
                    assertThat(m.get("state").asText()).as("move %s", m).isIn("retained", "cleaned", "aborted");
                }
            }
        }

        // ---------------------------------------------------------------- kill and recovery mechanics

        Process start(BackupFixture f, List<String> args) throws Exception {
            Map<String, String> env = new HashMap<>(storeEnv(dir));
            env.putAll(io.tenantctl.testing.Sentinels.ENV); // an operator's environment: secrets tenantctl must never show
            env.put("TENANTCTL_CATALOG_URL", f.catalogUrl);
            env.put("USER", "crash-test");
            return ChildJvm.start(dir, env, Main.class.getName(), args.toArray(String[]::new));
        }

        /** Polls (bounded) until {@code reached}, then SIGKILLs the child, which must still have been working. */
        void killWhen(Process child, BooleanSupplier reached, String point) throws Exception {
            killPoint = point;
            Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
            while (!reached.getAsBoolean()) {
                assertThat(child.isAlive()).as("the child ended (exit %s) before the kill point %s",
                        child.isAlive() ? "-" : child.exitValue(), point).isTrue();
                assertThat(Instant.now()).as("the kill point %s was never reached", point).isBefore(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("exit of the child killed %s: 137 = SIGKILL, anything else = it had finished", point)
                    .isEqualTo(137);
        }

        /** The killed fan-out run, as an operator finds it: in runs list, abandoned once its heartbeat is old. */
        String deadRun(BackupFixture f, String verb) throws Exception {
            // a claim the killed child had sent may still commit on the server after the kill (a fresh item lease): the
            // leases are expired again until the run shows abandoned (bounded)
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (true) {
                expireLeases(f);
                JsonNode runs = strictJson(ok(f.cli, "runs", "list", "-o", "json")).get("runs");
                List<String> dead = new ArrayList<>();
                for (JsonNode r : runs) {
                    if (r.get("verb").asText().equals(verb) && r.get("status").asText().equals("abandoned")) {
                        dead.add(r.get("run_id").asText());
                    }
                }
                if (dead.size() == 1 || Instant.now().isAfter(deadline)) {
                    assertThat(dead).as("the killed %s run in runs list: %s", verb, runs).hasSize(1);
                    return dead.get(0);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }

        // ---------------------------------------------------------------- the end state

        /**
         * Exactly the expected orgs, each active with its schema and its documents; no pool over capacity; no run left
         * running; verify exit 0 with no problem finding (with a store and --deep when every org has a backup).
         */
        void assertCleanEnd(BackupFixture f, Map<String, Map<String, List<RawBsonDocument>>> expected, Path schema, boolean deep) {
            JsonNode orgs = strictJson(ok(f.cli, "orgs", "list", "-o", "json")).get("orgs");
            Map<String, String> status = new TreeMap<>();
            Map<String, Integer> perPool = new TreeMap<>();
            orgs.forEach(o -> {
                status.put(o.get("org_id").asText(), o.get("status").asText());
                perPool.merge(o.get("pool_id").asText(), 1, Integer::sum);
            });
            assertThat(status.keySet()).as("the orgs in the catalog").isEqualTo(expected.keySet());
            assertThat(status).as("org statuses (nothing provisioning, moving, restoring, read_only)").allSatisfy((o, s) ->
                    assertThat(s).as(o).isEqualTo("active"));
            for (JsonNode p : strictJson(ok(f.cli, "pools", "list", "-o", "json")).get("pools")) {
                String id = p.get("pool_id").asText();
                assertThat(p.get("orgs").asInt()).as("pool %s's count", id).isLessThanOrEqualTo(p.get("capacity").asInt());
                assertThat(perPool.getOrDefault(id, 0)).as("orgs on pool %s", id).isLessThanOrEqualTo(p.get("capacity").asInt());
            }
            JsonNode runs = strictJson(ok(f.cli, "runs", "list", "--limit", "1000", "-o", "json")).get("runs");
            for (JsonNode r : runs) {
                assertThat(r.get("status").asText()).as("run %s (%s)", r.get("run_id").asText(), r.get("verb").asText())
                        .isNotIn("running", "abandoned");
            }
            Cli verifier = deep ? f.cli : Cli.withCatalog(f.catalogUrl); // without a store verify checks no backups (orgs here may have none)
            Cli.Result v = verifier.run(deep ? new String[]{"verify", "--deep", "-o", "json"} : new String[]{"verify", "-o", "json"});
            JsonNode verified = strictJson(v);
            List<String> problems = new ArrayList<>();
            verified.get("findings").forEach(x -> {
                if (x.get("severity").asText().equals("problem")) {
                    problems.add(x.get("kind").asText() + ": " + x.get("detail").asText());
                }
            });
            assertThat(problems).as("verify's problems: %s", v).isEmpty();
            assertThat(v.exitCode()).as("verify: %s", v).isZero();
            SchemaCheck.assertClean(f.catalogUrl, expected.keySet(), SchemaManifest.load(schema));
            expected.forEach((org, docs) -> assertThat(BackupFixture.contents(f.db(org))).as("%s's documents", org).isEqualTo(docs));
            // the killed child's output and everything the catalog holds now: no secret of its environment
            try {
                for (String file : List.of("child.stdout", "child.stderr")) {
                    Path out = dir.resolve(file);
                    if (Files.exists(out)) {
                        io.tenantctl.testing.Sentinels.assertNone(io.tenantctl.testing.Sentinels.ENV, Files.readString(out),
                                "the killed child's " + file);
                    }
                }
                io.tenantctl.testing.Sentinels.assertNone(io.tenantctl.testing.Sentinels.ENV,
                        io.tenantctl.testing.Sentinels.dumpCatalog(f.catalogUrl), "the catalog after recovery");
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError("cannot read the child's output or the catalog", e);
            }
        }

        // ---------------------------------------------------------------- helpers

        Path writeBig() throws Exception {
            Path p = dir.resolve("big-schema.json");
            Files.writeString(p, BIG_SCHEMA);
            return p;
        }

        static Map<String, String> storeEnv(Path dir) {
            return Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString());
        }

        /** What a provision with the manifest leaves: each of its collections, empty. */
        static Map<String, List<RawBsonDocument>> emptyCollections(Path schema) {
            Map<String, List<RawBsonDocument>> out = new TreeMap<>();
            SchemaManifest.load(schema).collections().forEach(c -> out.put(c.name(), List.of()));
            return out;
        }

        static Map<String, List<RawBsonDocument>> withEmpty(Map<String, List<RawBsonDocument>> docs, Path schema) {
            Map<String, List<RawBsonDocument>> out = new TreeMap<>(emptyCollections(schema));
            out.putAll(docs);
            return out;
        }

        static void seedMessages(BackupFixture f, String org, int n) {
            List<Document> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(new Document("_id", i).append("conversationId", "c" + i % 7).append("createdAt", i).append("text", org + " " + i));
            }
            f.db(org).getCollection("messages").insertMany(batch);
        }

        /** Documents in a database's notes; 0 while it does not exist (asking the stand-in for a collection would create it). */
        static long count(BackupFixture f, String pool, String db) {
            if (!f.databaseNames(pool).contains(db)) {
                return 0;
            }
            return f.database(pool, db).getCollection("notes").estimatedDocumentCount();
        }

        static Set<String> runIds(BackupFixture f) throws Exception {
            Set<String> out = new HashSet<>();
            try (Statement s = f.sql().createStatement();
                 ResultSet rs = s.executeQuery("select run_id from runs")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }

        /** Items finished in the run started after {@code before}; -1 until it exists (K = 0 means: once there is a run to kill). */
        static int finishedItems(BackupFixture f, Set<String> before) {
            try (Statement s = f.sql().createStatement();
                 ResultSet rs = s.executeQuery("select i.run_id, count(*) filter (where i.status in ('succeeded','unchanged','skipped','failed')) "
                         + "from run_items i group by i.run_id")) {
                int n = -1;
                while (rs.next()) {
                    if (!before.contains(rs.getString(1))) {
                        n = Math.max(n, rs.getInt(2));
                    }
                }
                return n;
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        static String orgStatus(BackupFixture f, String org) {
            try (PreparedStatement ps = f.sql().prepareStatement("select status from orgs where org_id = ?")) {
                ps.setString(1, org);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        /** What 60 s without the dead process's heartbeat does: its org leases, item claims and run heartbeats expire. */
        static void expireLeases(BackupFixture f) throws Exception {
            try (Statement s = f.sql().createStatement()) {
                s.executeUpdate("update org_leases set lease_until = now() - interval '1 second'");
                s.executeUpdate("update run_items set lease_until = now() - interval '1 second' where status = 'running'");
                s.executeUpdate("update runs set heartbeat_at = now() - interval '5 minutes' where status = 'running'");
            }
        }
    }
}
