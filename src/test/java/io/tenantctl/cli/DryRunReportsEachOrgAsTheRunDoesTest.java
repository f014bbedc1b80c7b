package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator runs {@code --dry-run} to learn what the run will do, on a fleet where some orgs cannot be taken (new
 * ones with no room, suspended, failed, up to date). For provision, migrate-all and backup the dry run must list the
 * same orgs as the run then does, each with the same kind of outcome (planned for what the run then does; failed,
 * skipped or unchanged as the run then records it, with the same reason), and exit as the run does. The run and its
 * dry run build their items from one list, whose orgs to do the dry run plans and whose others it reports as recorded.
 */
class DryRunReportsEachOrgAsTheRunDoesTest {

    @Test
    void provisionInTheOrderTheIdsWereGiven(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 5)) {
            f.provision("active1", "gone");
            ok(f.cli, "orgs", "delete", "gone", "--no-backup");
            f.database("pool-0", "org_taken").getCollection("users").insertOne(new Document("email", "a@b.example"));
            // room for 3 more on pool-0: zeta, alpha and taken are placed (taken then refused for its data); nope is not
            List<String> ids = List.of("zeta", "active1", "gone", "alpha", "taken", "nope");
            List<String> args = new ArrayList<>(List.of("provision", "--schema", f.schema.toString(), "-o", "json"));
            args.addAll(ids);

            Cli.Result dry = f.cli.run(with(args, "--dry-run"));
            Cli.Result real = f.cli.run(args.toArray(String[]::new));

            Map<String, String> planned = outcomes(dry);
            assertThat(new ArrayList<>(planned.keySet())).as("the dry run reports in the order given: %s", dry).isEqualTo(ids);
            assertThat(planned).as(dry.toString()).containsEntry("zeta", "planned").containsEntry("alpha", "planned")
                    .containsEntry("active1", "unchanged").containsEntry("gone", "failed: org is deleting: provision only creates new "
                            + "orgs or resumes provisioning/failed ones");
            assertThat(planned.get("taken")).startsWith("failed: database org_taken on pool pool-0 already exists and holds data");
            assertThat(planned.get("nope")).startsWith("failed: no capacity");
            assertThat(planned).as("what the run then did: %s", real).isEqualTo(done(outcomes(real), "provisioned"));
            assertThat(dry.exitCode()).isEqualTo(real.exitCode()).isEqualTo(1);
            assertThat(recorded(f.cli, real)).as("every org asked for is recorded once").containsExactlyInAnyOrderElementsOf(ids);
        }
    }

    @Test
    void migrateAllSortedByOrg(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("m-c", "m-a", "m-sus", "m-b");
            ok(f.cli, "orgs", "suspend", "m-sus");
            Path newer = dir.resolve("newer.json");
            Files.writeString(newer, CliFixture.SMALL_SCHEMA.replace("{\"name\": \"email_1\", ",
                    "{\"name\": \"name_1\", \"key\": {\"name\": 1}}, {\"name\": \"email_1\", "));
            assertThat(Files.readString(newer)).contains("name_1");
            // m-b is already up to date: --force selects it, and there is nothing to do on it
            ok(f.cli, "migrate-all", "--schema", newer.toString(), "--org", "m-b");
            String[] args = {"migrate-all", "--schema", newer.toString(), "--force", "--org", "m-sus,m-c,m-b,m-a", "-o", "json"};

            Cli.Result dry = f.cli.run(with(List.of(args), "--dry-run"));
            Cli.Result real = f.cli.run(args);

            Map<String, String> planned = outcomes(dry);
            assertThat(new ArrayList<>(planned.keySet())).as(dry.toString()).containsExactly("m-a", "m-b", "m-c", "m-sus");
            assertThat(planned).containsEntry("m-a", "planned").containsEntry("m-b", "unchanged")
                    .containsEntry("m-sus", "skipped: org is read_only: migrate it once it is active again");
            assertThat(planned).as("what the run then did: %s", real).isEqualTo(done(outcomes(real), "migrated"));
            for (String field : List.of("selected", "unchanged")) {
                assertThat(strictJson(dry).get(field)).as(field).isEqualTo(strictJson(real).get(field));
            }
            assertThat(strictJson(real).get("unchanged").asInt()).isEqualTo(1);
            for (Cli.Result r : List.of(dry, real)) { // the same document twice reads the same: keys in a fixed order
                assertThat(strictJson(r).get("skipped_orgs").get(0).fieldNames()).toIterable().containsExactly("org_id", "reason");
            }
            assertThat(dry.exitCode()).isEqualTo(real.exitCode()).isZero();
            CliFixture.assertClean(f.catalogUrl, newer, List.of("m-a", "m-c"));
        }
    }

    /**
     * A rollout of the manifest the fleet already has, over orgs frozen at the time (one a live move holds, one suspended):
     * they were listed skipped ("migrate it once it is active again"), so the operator read that orgs were left behind
     * on an old manifest when none was. Up to date, they are unchanged as an active org is; a restoring one stays skipped,
     * since its restore brings back its backup's indexes, which may be older.
     */
    @Test
    void migrateAllCountsAFrozenOrgAlreadyUpToDateUnchanged(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("u-act", "u-moving", "u-sus", "u-restoring");
            ok(f.cli, "orgs", "suspend", "u-sus");
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'moving' where org_id = 'u-moving'");
            f.heldBy("u-moving", "move");
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'restoring' where org_id = 'u-restoring'");
            f.heldBy("u-restoring", "restore");
            List<String> args = List.of("migrate-all", "--schema", f.schema.toString());

            Cli.Result dry = f.cli.run(with(args, "--dry-run"));
            Cli.Result text = f.cli.run(args.toArray(String[]::new));
            Cli.Result json = f.cli.run(with(List.of(with(args, "-o")), "json"));

            for (Cli.Result r : List.of(dry, text, json)) {
                assertThat(r.exitCode()).as(r.toString()).isZero();
            }
            assertThat(text.out()).as(text.toString()).contains("skipped 1", "3 more already up to date, not selected",
                    "skipped: u-restoring: org is restoring").doesNotContain("u-moving", "u-sus");
            JsonNode doc = strictJson(json);
            assertThat(doc.get("unchanged").asInt()).as(json.toString()).isEqualTo(3);
            assertThat(doc.get("skipped").asInt()).isEqualTo(1);
            assertThat(doc.get("skipped_orgs").findValuesAsText("org_id")).containsExactly("u-restoring");
            assertThat(outcomes(json)).as("the run's orgs").containsOnlyKeys("u-restoring");
            assertThat(dry.out()).as(dry.toString()).contains("3 already up to date").doesNotContain("u-moving", "u-sus");
        }
    }

    @Test
    void backupInTheOrderSelected(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("b-a", "b-c");
            f.database("pool-0", "org_b_failed").getCollection("users").insertOne(new Document("email", "a@b.example"));
            assertThat(f.cli.run("provision", "--schema", f.schema.toString(), "b-failed").exitCode()).isEqualTo(1); // refused: a failed row
            f.notes("b-a", "notes", 3);
            String[] args = {"backup", "--org", "b-c,b-failed,b-a", "-o", "json"};

            Cli.Result dry = f.cli.run(with(List.of(args), "--dry-run"));
            Cli.Result real = f.cli.run(args);

            Map<String, String> planned = outcomes(dry);
            assertThat(planned).as(dry.toString()).containsEntry("b-a", "planned").containsEntry("b-c", "planned").containsEntry("b-failed",
                    "failed: org is failed: only active or read_only orgs (and deleting ones named with --org) are backed up");
            assertThat(planned).as("what the run then did: %s", real).isEqualTo(done(outcomes(real), "backed_up"));
            assertThat(dry.exitCode()).isEqualTo(real.exitCode()).isEqualTo(1);
            assertThat(recorded(f.cli, real)).containsExactlyInAnyOrder("b-a", "b-failed", "b-c");
            assertThat(strictJson(real).get("orgs").findValuesAsText("org_id")).hasSize(3);
        }
    }

    private static String[] with(List<String> args, String extra) {
        List<String> all = new ArrayList<>(args);
        all.add(extra);
        return all.toArray(String[]::new);
    }

    /** Each org of the -o json, in its order: its outcome, and after a colon its error when it has one. */
    private static Map<String, String> outcomes(Cli.Result r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode o : strictJson(r).get("orgs")) {
            String outcome = o.get("outcome").asText();
            out.put(o.get("org_id").asText(), o.path("error").isNull() || o.path("error").isMissingNode() ? outcome
                    : outcome + ": " + o.get("error").asText());
        }
        return out;
    }

    /** The run's outcomes with {@code doneAs} (what the verb calls an org it did) read as the dry run's "planned", in the dry run's terms. */
    private static Map<String, String> done(Map<String, String> real, String doneAs) {
        Map<String, String> out = new LinkedHashMap<>();
        real.forEach((org, outcome) -> out.put(org, outcome.equals(doneAs) ? "planned" : outcome));
        return out;
    }

    /** The org ids the run recorded, as runs show lists its items. */
    private static List<String> recorded(Cli cli, Cli.Result real) {
        JsonNode show = strictJson(ok(cli, "runs", "show", strictJson(real).get("run_id").asText(), "-o", "json"));
        List<String> ids = new ArrayList<>();
        show.get("items").forEach(o -> ids.add(o.get("org_id").asText()));
        return ids;
    }
}
