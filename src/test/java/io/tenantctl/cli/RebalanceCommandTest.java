package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** rebalance as an operator drives it: drain, plan into a file, dry run, apply the file, status, gc, and the end state read back. */
class RebalanceCommandTest {

    /** Each collection's documents (by _id) of an org's current database, read from its pool. */
    private static Map<String, List<Document>> contents(Cli cli, String orgId) {
        JsonNode org = strictJson(ok(cli, "orgs", "show", orgId, "-o", "json"));
        JsonNode pool = strictJson(ok(cli, "pools", "show", org.get("pool_id").asText(), "-o", "json"));
        try (MongoClient c = MongoClients.create(pool.get("uri").asText())) {
            MongoDatabase db = c.getDatabase(org.get("database_name").asText());
            Map<String, List<Document>> out = new TreeMap<>();
            for (String name : db.listCollectionNames()) {
                out.put(name, db.getCollection(name).find().sort(new Document("_id", 1)).into(new ArrayList<>()));
            }
            return out;
        }
    }

    @Test
    void drainPlanApplyStatusGc_movesEveryOrgOffTheDrainedPoolWithItsDataAndSchema(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path schema = CliFixture.smallSchema(dir);
        try (TestPools pools = new TestPools(2)) {
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            CliFixture.addPool(cli, "pool-2", pools.uri(1), 10, 2);
            List<String> orgs = CliFixture.ids("acme", 0, 4);
            ok(cli, CliFixture.args(List.of("provision", "--schema", schema.toString(), "--pool", "pool-1"), orgs));
            try (MongoClient c = MongoClients.create(pools.uri(0))) {
                for (String org : orgs) {
                    for (int i = 0; i < 30; i++) {
                        c.getDatabase("org_" + org).getCollection("messages").insertOne(new Document("_id", i)
                                .append("conversationId", "c" + i % 4).append("createdAt", i).append("text", org + " message " + i));
                    }
                }
            }
            Map<String, Map<String, List<Document>>> before = new TreeMap<>();
            orgs.forEach(o -> before.put(o, contents(cli, o)));
            ok(cli, "pools", "drain", "pool-1");

            Cli.Result planned = ok(cli, "rebalance", "plan", "-o", "json");
            JsonNode plan = strictJson(planned);
            assertThat(plan.get("moves")).hasSize(4);
            assertThat(plan.get("moves")).allSatisfy(m -> {
                assertThat(m.get("to_pool").asText()).isEqualTo("pool-2");
                assertThat(m.get("reason").asText()).isEqualTo("drain");
                assertThat(m.get("predicted_freeze_ms").asLong()).isPositive();
            });
            Path planFile = dir.resolve("plan.json");
            Files.writeString(planFile, planned.out());

            JsonNode dry = strictJson(ok(cli, "rebalance", "apply", "--plan", planFile.toString(), "--dry-run", "-o", "json"));
            assertThat(dry.get("status").asText()).isEqualTo("dry_run");
            assertThat(dry.get("counts").get("planned").asInt()).isEqualTo(4);
            assertThat(strictJson(ok(cli, "orgs", "list", "--pool", "pool-1", "-o", "json")).get("orgs")).as("a dry run moves nothing").hasSize(4);

            JsonNode applied = strictJson(ok(cli, "rebalance", "apply", "--plan", planFile.toString(), "--freeze-grace", "0", "-o", "json"));
            assertThat(applied.get("verb").asText()).isEqualTo("rebalance");
            assertThat(applied.get("status").asText()).isEqualTo("succeeded");
            assertThat(applied.get("counts").get("moved").asInt()).isEqualTo(4);
            assertThat(applied.get("orgs")).allSatisfy(o -> {
                assertThat(o.get("outcome").asText()).isEqualTo("moved");
                assertThat(o.get("pool_id").asText()).isEqualTo("pool-1");
                assertThat(o.get("to_pool").asText()).isEqualTo("pool-2");
                assertThat(o.get("docs").asLong()).isEqualTo(30);
                assertThat(o.has("freeze_ms")).isTrue();
                assertThat(o.get("move_id").asText()).startsWith("m-");
            });
            for (String org : orgs) {
                assertThat(strictJson(ok(cli, "orgs", "show", org, "-o", "json")).get("pool_id").asText()).isEqualTo("pool-2");
                assertThat(contents(cli, org)).as(org).isEqualTo(before.get(org));
            }
            CliFixture.assertExactly(url, schema, orgs);

            // the same plan applied again (a 3 a.m. re-run of the same command): every org is where it says, nothing moves
            JsonNode again = strictJson(ok(cli, "rebalance", "apply", "--plan", planFile.toString(), "--dry-run", "-o", "json"));
            assertThat(again.get("counts").get("unchanged").asInt()).isEqualTo(4);
            assertThat(again.get("counts").has("failed")).isFalse();
            JsonNode reapplied = strictJson(ok(cli, "rebalance", "apply", "--plan", planFile.toString(), "-o", "json"));
            assertThat(reapplied.get("status").asText()).isEqualTo("succeeded");
            assertThat(reapplied.get("counts").get("unchanged").asInt()).isEqualTo(4);
            assertThat(reapplied.get("orgs")).allSatisfy(o -> assertThat(o.get("note").asText()).isEqualTo("already on pool pool-2"));
            // so too a plan written by hand ({org_id, to_pool}, no from_pool), applied again: it failed every org 'already on
            // pool pool-2' (exit 1, the run failed), its source read as the org's pool now, which is its target
            Path byHand = dir.resolve("by-hand-plan.json");
            Files.writeString(byHand, "{\"moves\":[{\"org_id\":\"" + orgs.get(0) + "\",\"to_pool\":\"pool-2\"}]}");
            for (String dryOrNot : List.of("--dry-run", "--freeze-grace=0")) {
                JsonNode handAgain = strictJson(ok(cli, "rebalance", "apply", "--plan", byHand.toString(), dryOrNot, "-o", "json"));
                assertThat(handAgain.get("counts").get("unchanged").asInt()).as(dryOrNot).isEqualTo(1);
                assertThat(handAgain.get("orgs").get(0).get("note").asText()).isEqualTo("already on pool pool-2");
            }
            for (String org : orgs) {
                assertThat(contents(cli, org)).as(org).isEqualTo(before.get(org));
            }

            JsonNode status = strictJson(ok(cli, "rebalance", "status", "-o", "json"));
            assertThat(status).hasSize(4).allSatisfy(m -> assertThat(m.get("state").asText()).isEqualTo("retained"));
            String moveId = status.get(0).get("move_id").asText();
            assertThat(ok(cli, "rebalance", "status", moveId).out()).contains("state").contains("retained");

            JsonNode gc = strictJson(ok(cli, "rebalance", "gc", "--older-than", "0", "-o", "json"));
            assertThat(gc.get("items")).hasSize(4).allSatisfy(i -> assertThat(i.get("action").asText()).isEqualTo("dropped"));
            assertThat(pools.databaseNames(0)).noneMatch(n -> n.startsWith("org_acme"));
            assertThat(strictJson(ok(cli, "rebalance", "status", "-o", "json"))).allSatisfy(m -> assertThat(m.get("state").asText()).isEqualTo("cleaned"));
            // its source dropped, a move cannot be reverted: said so (it said only "move M is cleaned: only a retained move
            // (flipped, source kept) can be reverted"), with where the org is and the move that puts it back
            String org = status.get(0).get("org_id").asText();
            Cli.Result cleaned = cli.run("rebalance", "revert", moveId, "-o", "json");
            assertThat(cleaned.exitCode()).as(cleaned.toString()).isEqualTo(1);
            assertThat(strictJson(cleaned).get("error").get("message").asText()).contains("its source pool-1/org_" + org + " was dropped by 'rebalance gc'")
                    .contains("org " + org + " is on pool-2/").contains("pool pool-1 is draining, so it takes no org back");
            assertThat(cleaned.err().lines()).hasSize(1);
            ok(cli, "pools", "enable", "pool-1");
            Cli.Result back = cli.run("rebalance", "revert", moveId, "--dry-run");
            assertThat(back.exitCode()).as(back.toString()).isEqualTo(1);
            assertThat(back.err()).contains("to put it back on pool-1, copy it there: 'tenantctl rebalance move " + org + " --to pool-1'");
            assertThat(back.err().lines()).hasSize(1);
            orgs.forEach(o -> assertThat(contents(cli, o)).isEqualTo(before.get(o)));
            CliFixture.assertExactly(url, schema, orgs);
        }
    }

    /**
     * Staging and production with the same org and pool names: staging's plan saved to a file and applied to production
     * passed every name check and moved by staging's sizes and places. A plan names its catalog, and apply holds it to it.
     */
    @Test
    void aPlanMadeAgainstAnotherCatalogWithTheSameNamesIsRefused(@TempDir Path dir) throws Exception {
        String production = CliFixture.initialisedCatalog();
        String staging = CliFixture.initialisedCatalog();
        // test catalogs are copies of one: staging gets the id its own init would have made
        CliFixture.sql(staging, "update catalog_identity set catalog_id = 'a7e3c0de-0000-4000-8000-00000000beef'");
        try (TestPools pools = new TestPools(2)) {
            Cli prod = Cli.withCatalog(production);
            Cli stage = Cli.withCatalog(staging);
            for (Cli cli : List.of(prod, stage)) {
                CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
                CliFixture.addPool(cli, "pool-2", pools.uri(1), 10, 2);
            }
            ok(prod, "provision", "--schema", CliFixture.smallSchema(dir).toString(), "acme");
            CliFixture.sql(staging, "insert into orgs (org_id, pool_id, database_name, status, tier) values ('acme', 'pool-1', 'org_acme', 'active', 'free')");
            ok(stage, "pools", "drain", "pool-1");
            Cli.Result stagingPlan = ok(stage, "rebalance", "plan", "-o", "json");
            assertThat(strictJson(stagingPlan).get("catalog_id").asText()).isEqualTo("a7e3c0de-0000-4000-8000-00000000beef");
            assertThat(strictJson(stagingPlan).get("moves")).hasSize(1);
            Path planFile = dir.resolve("plan.json");
            Files.writeString(planFile, stagingPlan.out());
            String productionId = strictJson(ok(prod, "rebalance", "plan", "-o", "json")).get("catalog_id").asText();
            assertThat(productionId).isNotBlank().isNotEqualTo("a7e3c0de-0000-4000-8000-00000000beef");

            ok(prod, "pools", "drain", "pool-1"); // production's names all match staging's plan now
            for (String dry : List.of("--freeze-grace=0", "--dry-run")) {
                Cli.Result r = prod.run("rebalance", "apply", "--plan", planFile.toString(), dry, "-o", "json");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(strictJson(r).get("error").get("message").asText()).isEqualTo("plan file " + planFile + " was made against catalog "
                        + "a7e3c0de-0000-4000-8000-00000000beef, and this is catalog " + productionId + ": nothing moved; make a new plan with "
                        + "'tenantctl rebalance plan -o json'");
                assertThat(r.err().lines()).as(r.toString()).hasSize(1);
            }
            assertThat(CliFixture.count(production, "select count(*) from runs where verb = 'rebalance'")).as("no run recorded").isZero();
            assertThat(strictJson(ok(prod, "orgs", "show", "acme", "-o", "json")).get("pool_id").asText()).isEqualTo("pool-1");

            // a plan from before plans named their catalog is still applied, with a warning saying it could not be checked
            JsonNode old = strictJson(stagingPlan);
            ((com.fasterxml.jackson.databind.node.ObjectNode) old).remove("catalog_id");
            Files.writeString(planFile, old.toString());
            Cli.Result unnamed = prod.run("rebalance", "apply", "--plan", planFile.toString(), "--dry-run", "-o", "json");
            assertThat(unnamed.exitCode()).as(unnamed.toString()).isZero();
            assertThat(strictJson(unnamed).get("counts").get("planned").asInt()).isEqualTo(1);
            assertThat(unnamed.err().lines()).as(unnamed.toString()).containsExactly("warning: plan file " + planFile + " names no catalog "
                    + "(written by hand, or by a tenantctl before plans did): applied to catalog " + productionId + " as its org and pool "
                    + "names match; 'tenantctl rebalance plan -o json' makes a plan that names it");
            // production's own plan: applied, no warning
            Files.writeString(planFile, ok(prod, "rebalance", "plan", "-o", "json").out());
            Cli.Result own = prod.run("rebalance", "apply", "--plan", planFile.toString(), "--freeze-grace=0", "-o", "json");
            assertThat(own.exitCode()).as(own.toString()).isZero();
            assertThat(own.err()).as(own.toString()).isEmpty();
            assertThat(strictJson(ok(prod, "orgs", "show", "acme", "-o", "json")).get("pool_id").asText()).isEqualTo("pool-2");
        }
    }

    @Test
    void operatorMistakesExitWithOneClearLine(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            ok(cli, "provision", "--schema", CliFixture.smallSchema(dir).toString(), "acme");

            Cli.Result samePool = cli.run("rebalance", "move", "acme", "--to", "pool-1");
            assertThat(samePool.exitCode()).isEqualTo(2);
            assertThat(samePool.err()).contains("already on pool pool-1");
            Cli.Result noPool = cli.run("rebalance", "move", "acme", "--to", "nowhere", "-o", "json");
            assertThat(noPool.exitCode()).isEqualTo(2);
            assertThat(strictJson(noPool).get("error").get("message").asText()).contains("nowhere");
            Cli.Result badPlan = cli.run("rebalance", "apply", "--plan", dir.resolve("missing.json").toString());
            assertThat(badPlan.exitCode()).isEqualTo(2);
            assertThat(badPlan.err()).contains("does not exist").contains("rebalance plan -o json");
            // a plan made against another catalog (staging's, saved to a file) names orgs this one does not have: refused
            // whole, exit 2, as its dry run refuses it, not run as failed moves whose next step cannot work
            Path otherCatalogs = dir.resolve("staging-plan.json");
            Files.writeString(otherCatalogs, "{\"moves\":[{\"org_id\":\"zeta\",\"from_pool\":\"pool-2\",\"to_pool\":\"pool-1\"}]}");
            for (String dry : List.of("--freeze-grace=0", "--dry-run")) {
                Cli.Result foreign = cli.run("rebalance", "apply", "--plan", otherCatalogs.toString(), dry, "-o", "json");
                assertThat(foreign.exitCode()).as(foreign.toString()).isEqualTo(2);
                assertThat(strictJson(foreign).get("error").get("message").asText()).contains("1 org this catalog does not have: zeta")
                        .contains("nothing moved").contains("tenantctl rebalance plan");
                assertThat(foreign.err().lines()).hasSize(1);
            }
            // of many, the first ten and how many more (it said "…": how many were not named, the operator could not tell)
            Files.writeString(otherCatalogs, "{\"moves\":[" + String.join(",", java.util.stream.IntStream.rangeClosed(1, 12).mapToObj(i ->
                    "{\"org_id\":\"z-" + i + "\",\"from_pool\":\"pool-2\",\"to_pool\":\"pool-1\"}").toList()) + "]}");
            Cli.Result many = cli.run("rebalance", "apply", "--plan", otherCatalogs.toString(), "--dry-run");
            assertThat(many.exitCode()).as(many.toString()).isEqualTo(2);
            assertThat(many.err()).contains("12 orgs this catalog does not have: z-1, z-2, z-3, z-4, z-5, z-6, z-7, z-8, z-9, z-10 and 2 more (");
            // its org here, its source pool not: refused alike, not run as a stale plan's failed move
            Files.writeString(otherCatalogs, "{\"moves\":[{\"org_id\":\"acme\",\"from_pool\":\"eu-pool-7\",\"to_pool\":\"pool-1\"}]}");
            Cli.Result foreignPool = cli.run("rebalance", "apply", "--plan", otherCatalogs.toString(), "-o", "json");
            assertThat(foreignPool.exitCode()).as(foreignPool.toString()).isEqualTo(2);
            assertThat(strictJson(foreignPool).get("error").get("message").asText()).contains("the plan moves org acme off pool eu-pool-7, which this catalog does not have");
            assertThat(CliFixture.count(url, "select count(*) from runs where verb = 'rebalance'")).as("no run recorded").isZero();
            // a pool edited into an object (or a list) said "no pool named ''": the move and the field are named
            Path mangled = dir.resolve("mangled-plan.json");
            Files.writeString(mangled, "{\"moves\":[{\"org_id\":\"acme\",\"from_pool\":\"pool-1\",\"to_pool\":{\"id\":\"pool-2\"}}]}");
            Cli.Result notAPool = cli.run("rebalance", "apply", "--plan", mangled.toString(), "--dry-run");
            assertThat(notAPool.exitCode()).as(notAPool.toString()).isEqualTo(2);
            assertThat(notAPool.err()).contains(mangled + ": move 1 (org acme): to_pool is {\"id\":\"pool-2\"}, not an id in quotes")
                    .doesNotContain("''");
            // found by probing: a plan saved by Windows PowerShell 5's '>' (UTF-16) said only "Input length = 1"
            Path utf16 = dir.resolve("plan-utf16.json");
            Files.writeString(utf16, cli.run("rebalance", "plan", "-o", "json").out(), java.nio.charset.StandardCharsets.UTF_16);
            Cli.Result notUtf8 = cli.run("rebalance", "apply", "--plan", utf16.toString());
            assertThat(notUtf8.exitCode()).as(notUtf8.toString()).isEqualTo(2);
            assertThat(notUtf8.err()).contains(utf16.toString()).contains("is not UTF-8 text; save it as UTF-8").doesNotContain("Input length");
            // found by probing: a new plan appended with '>>' to an old one applied the old one (here: no move, exit 0),
            // and a plan cut short said only "is not a plan": both refused in one line, nothing moved, no run recorded
            Path appended = dir.resolve("appended-plan.json");
            Files.writeString(appended, "{\"moves\":[]}\n{\"moves\":[{\"org_id\":\"acme\",\"from_pool\":\"pool-1\",\"to_pool\":\"pool-1\"}]}\n");
            Path cut = dir.resolve("cut-plan.json");
            Files.writeString(cut, "{\"moves\":[{\"org_id\":\"acme\",\"from_pool\":\"pool-1\",\"to");
            for (String dry : List.of("--freeze-grace=0", "--dry-run")) {
                Cli.Result two = cli.run("rebalance", "apply", "--plan", appended.toString(), dry, "-o", "json");
                assertThat(two.exitCode()).as(two.toString()).isEqualTo(2);
                assertThat(strictJson(two).get("error").get("message").asText()).contains("plan file " + appended + " holds more than one JSON document")
                        .contains("line 2").contains("nothing moved").contains("tenantctl rebalance plan -o json > " + appended);
                Cli.Result shortened = cli.run("rebalance", "apply", "--plan", cut.toString(), dry);
                assertThat(shortened.exitCode()).as(shortened.toString()).isEqualTo(2);
                assertThat(shortened.err()).contains("plan file " + cut + " ends before its JSON does").contains("cut short")
                        .doesNotContain("is not a plan");
                assertThat(shortened.err().lines()).hasSize(1);
            }
            assertThat(CliFixture.count(url, "select count(*) from runs where verb = 'rebalance'")).as("no run recorded").isZero();
            Cli.Result badDuration = cli.run("rebalance", "gc", "--older-than", "soon");
            assertThat(badDuration.exitCode()).isEqualTo(2);
            assertThat(badDuration.err()).contains("'soon' is not a duration");
            Cli.Result badBy = cli.run("rebalance", "plan", "--by", "luck");
            assertThat(badBy.exitCode()).isEqualTo(2);
            assertThat(badBy.err()).contains("--by must be orgs or size");
            Cli.Result unknownMove = cli.run("rebalance", "revert", "m-nope");
            assertThat(unknownMove.exitCode()).isEqualTo(2);
            assertThat(unknownMove.err()).contains("no move m-nope");
            assertThat(strictJson(ok(cli, "orgs", "show", "acme", "-o", "json")).get("status").asText()).isEqualTo("active");
        }
    }
}
