package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team e: {@code verify --fix} run while a rollout goes on. verify reads every org's row (its recorded manifest)
 * once, when it starts, and checks and fixes each org later, under the org's lease, against that snapshot. A rollout
 * of v2 — which supersedes {@code messages.legacy_1} (its {@code drop} list) — that migrates an org after verify started
 * and before verify reaches it makes verify diff the org against v1: legacy_1 is "missing", and --fix builds it back.
 * The org is left with the index its manifest drops (the next verify calls it schema_superseded), and verify reported
 * "fixed" for an org that had nothing wrong. With a unique index v2 stopped requiring, the application's writes fail.
 */
@Timeout(120)
class VerifyFixRacesMigrateAllTest {

    @TempDir
    Path dir;

    private static final String V1 = CliFixture.SMALL_SCHEMA.replace("\"name\": \"messages\", \"indexes\": [",
            "\"name\": \"messages\", \"indexes\": [\n    {\"name\": \"legacy_1\", \"key\": {\"legacy\": 1}, \"unique\": true},");
    private static final String V2 = CliFixture.SMALL_SCHEMA.replace("\"name\": \"messages\",", "\"name\": \"messages\", \"drop\": [\"legacy_1\"],");

    @Test
    void verifyFixDoesNotRebuildAnIndexARolloutDroppedAfterVerifyStarted() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v1 = dir.resolve("v1.json");
            Path v2 = dir.resolve("v2.json");
            Files.writeString(v1, V1);
            Files.writeString(v2, V2);
            assertThat(V1).contains("legacy_1");
            ok(f.cli, "provision", "--schema", v1.toString(), "--pool", "pool-0", "acme", "globex");

            // the rollout of v2 reaches one org while verify is busy with the other one
            AtomicReference<String> migrated = new AtomicReference<>();
            AtomicReference<Cli.Result> rollout = new AtomicReference<>();
            Cli verifier = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test")).decoratePools(real ->
                    HookedPools.onDatabase(real, (name, db) -> {
                        if (name.startsWith("org_") && migrated.compareAndSet(null, name.equals("org_acme") ? "globex" : "acme")) {
                            rollout.set(f.cli.run("migrate-all", "--org", migrated.get(), "--schema", v2.toString(), "-o", "json"));
                        }
                        return db;
                    }));

            Cli.Result v = verifier.run("verify", "--fix", "--per-pool", "1", "--concurrency", "1", "-o", "json");
            assertThat(rollout.get()).as("the rollout ran meanwhile").isNotNull();
            assertThat(rollout.get().exitCode()).as(rollout.get().toString()).isZero();
            String org = migrated.get();
            assertThat(strictJson(rollout.get()).get("migrated").asInt()).as(rollout.get().toString()).isEqualTo(1);

            List<String> indexes = f.db(org).getCollection("messages").listIndexes().into(new ArrayList<>()).stream()
                    .map(d -> d.getString("name")).toList();
            assertThat(indexes).as("verify --fix (%s) rebuilt on %s the index v2 drops:%n%s", v.exitCode(), org, v.out())
                    .doesNotContain("legacy_1");
            JsonNode again = strictJson(f.cli.run("verify", "--org", org, "-o", "json"));
            assertThat(again.get("findings").findValuesAsText("kind")).doesNotContain("schema_superseded");
            // the application may now store two messages with the same 'legacy' value, as v2 allows
            f.db(org).getCollection("messages").insertOne(new Document("legacy", "x"));
            f.db(org).getCollection("messages").insertOne(new Document("legacy", "x"));
        }
    }
}
