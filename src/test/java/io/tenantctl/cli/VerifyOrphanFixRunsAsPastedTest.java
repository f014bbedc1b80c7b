package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a pool may hold a database named like an org's with a quote, a backtick or an {@code &} in
 * it (the pool's rule refuses only /\. "$*<>:|?), and verify's orphan_database fix named it unquoted: {@code orgs adopt
 * ORG --pool P --database org_a`id`} runs {@code id} when pasted, {@code org_q'x} leaves bash waiting for a quote, and
 * {@code org_b&c} sends the adopt to the background without its database. The name is now one shell word.
 */
class VerifyOrphanFixRunsAsPastedTest {

    @TempDir
    Path dir;

    @Test
    void anOrphansAdoptAsPastedNamesThatDatabase() throws Exception {
        List<String> names = List.of("org_q'x", "org_a`id`", "org_b&c;d");
        try (BackupFixture f = new BackupFixture(1, dir)) {
            for (String n : names) {
                f.database("pool-0", n).getCollection("notes").insertOne(new Document("_id", 1));
            }
            Cli.Result v = f.cli.run("verify", "-o", "json");
            Map<String, String> byDatabase = new TreeMap<>();
            for (JsonNode x : findings(strictJson(v), "orphan_database")) {
                String text = x.get("fix").isNull() ? x.get("fix_note").asText() : x.get("fix").asText();
                String adopt = text.split(" {3}\\(")[0].trim().replace("tenantctl orgs adopt ORG ", "tenantctl orgs adopt newid ");
                String[] pasted = AnotherStoreNamedInAFixRunsAsPastedTest.asBashReadsIt(adopt);
                assertThat(pasted).as("bash refuses %s", adopt).isNotNull();
                Cli.Result plan = f.cli.run(java.util.stream.Stream.concat(java.util.Arrays.stream(pasted),
                        java.util.stream.Stream.of("--dry-run", "-o", "json")).toArray(String[]::new));
                assertThat(plan.exitCode()).as("%s -> %s", adopt, plan).isZero();
                byDatabase.put(strictJson(plan).get("orgs").get(0).get("database_name").asText(), adopt);
            }
            assertThat(byDatabase.keySet()).as(v.out()).containsExactlyInAnyOrderElementsOf(names);
        }
    }
}
