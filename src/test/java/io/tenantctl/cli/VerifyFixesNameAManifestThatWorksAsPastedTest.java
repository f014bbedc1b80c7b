package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: verify's fixes for schema findings said {@code --schema MANIFEST} for every org, a
 * placeholder that fails when pasted ("schema file MANIFEST does not exist", exit 2) — even for an org on the built-in
 * manifest, where {@code schema diff ORG} alone is the command. An org on the built-in manifest now gets commands
 * without --schema; one rolled out with its own file gets the path its run recorded.
 */
class VerifyFixesNameAManifestThatWorksAsPastedTest {

    @TempDir
    Path dir;

    /** A command as a person pastes it: the words before a "   (" note, split on spaces, "tenantctl" left out. */
    private static String[] pasted(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command.split(" {3}\\(")[0].trim().replaceFirst("^tenantctl ", "").split("\\s+")));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void anOrgOnTheBuiltInManifestGetsCommandsWithoutAPlaceholder() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            ok(f.cli, "provision", "--pool", "pool-0", "acme");
            f.db("acme").getCollection("users").dropIndex("email_1");
            f.db("acme").getCollection("users").createIndex(new Document("email", -1),
                    new com.mongodb.client.model.IndexOptions().name("email_1"));
            f.db("acme").getCollection("users").createIndex(new Document("nickname", 1));

            Cli.Result r = f.cli.run("verify", "--org", "acme", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            JsonNode doc = strictJson(r);
            String conflict = findings(doc, "schema_conflict").get(0).get("fix").asText();
            String extra = findings(doc, "schema_extra").get(0).get("fix").asText();
            assertThat(conflict).as(conflict).doesNotContain("MANIFEST").doesNotContain("--schema");
            assertThat(extra).isEqualTo("tenantctl schema diff acme");

            assertThat(conflict).isEqualTo("tenantctl schema diff acme");
            String then = findings(doc, "schema_conflict").get(0).get("fix_note").asText();
            assertThat(then).startsWith("then: ").doesNotContain("MANIFEST").doesNotContain("--schema");
            String[] steps = {conflict, then.substring("then: ".length())};
            Cli.Result diff = f.cli.run(pasted(steps[0], "-o", "json"));
            assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(4);
            assertThat(strictJson(diff).get("counts").get("conflict").asInt()).as(diff.toString()).isEqualTo(1);
            Cli.Result plan = f.cli.run(pasted(steps[1], "--dry-run"));
            assertThat(plan.exitCode()).as(plan.toString()).isZero();
        }
    }

    @Test
    void anOrgOnItsOwnManifestGetsThePathItsRunRecorded() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            f.db("acme").getCollection("users").createIndex(new Document("nickname", 1));

            JsonNode doc = strictJson(ok(f.cli, "verify", "--org", "acme", "-o", "json"));
            String extra = findings(doc, "schema_extra").get(0).get("fix").asText();
            assertThat(extra).isEqualTo("tenantctl schema diff acme --schema " + f.schema);
            Cli.Result diff = f.cli.run(pasted(extra, "-o", "json"));
            assertThat(diff.exitCode()).as(diff.toString()).isZero();
            assertThat(strictJson(diff).get("counts").get("missing_collection").asInt()).isZero();
        }
    }

    /**
     * Found by a probing helper: an org rolled out to a file by a completed run got "--schema MANIFEST" once a newer,
     * unfinished run of another manifest listed it still pending: only the newest run that lists the org was looked at.
     * The file is the one of the newest run that applied the org's recorded manifest to it.
     */
    @Test
    void anOrgAPendingRolloutListsGetsTheFileOfTheRunThatAppliedItsManifest() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
            ok(f.cli, "migrate-all", "--schema", v1.toString(), "--prune", "--replace-conflicting");
            f.backup("acme");
            ok(f.cli, "migrate-all", "--schema", v2.toString(), "--detach"); // acme pending in it, no worker yet
            f.db("acme").getCollection("users").createIndex(new Document("nickname", 1));

            JsonNode doc = strictJson(ok(f.cli, "verify", "--org", "acme", "-o", "json"));
            String extra = findings(doc, "schema_extra").get(0).get("fix").asText();
            assertThat(extra).isEqualTo("tenantctl schema diff acme --schema " + v1);
            Cli.Result diff = f.cli.run(pasted(extra, "-o", "json"));
            assertThat(diff.exitCode()).as(diff.toString()).isZero();
        }
    }
    /**
     * Found by a probing helper: a rollout given a relative --schema (cd manifests; migrate-all --schema next.json)
     * recorded it as typed, and verify named "--schema next.json" wherever it ran: from another directory that is no file
     * or another manifest of the same name (a schema diff, or the rollout its fix leads to, against the wrong manifest).
     * The run records the file's absolute path, so the fix names the file that was rolled out.
     */
    @Test
    void anOrgRolledOutWithARelativePathGetsTheFileNotTheWordTyped() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            Path relative = Path.of("").toAbsolutePath().relativize(v1);
            assertThat(relative.isAbsolute()).isFalse();
            ok(f.cli, "migrate-all", "--schema", relative.toString(), "--prune", "--replace-conflicting");
            f.backup("acme");
            f.db("acme").getCollection("users").createIndex(new Document("nickname", 1));

            JsonNode doc = strictJson(ok(f.cli, "verify", "--org", "acme", "-o", "json"));
            String extra = findings(doc, "schema_extra").get(0).get("fix").asText();
            assertThat(extra).isEqualTo("tenantctl schema diff acme --schema " + v1);
        }
    }
}
