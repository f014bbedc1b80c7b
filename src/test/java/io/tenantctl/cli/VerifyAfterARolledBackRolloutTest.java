package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing a reverted deploy: a rollout to v2 stopped part-way on acme (no manifest recorded), acme was suspended,
 * and the rollback to v1 passed over it. Resumed, {@code orgs resume} and {@code orgs show} named the catch-up to v1, the
 * fleet's manifest; verify checked acme against v2 and named "migrate-all --org acme --schema-hash V2" as its fix — the
 * release that was reverted. The rollout that counts is the newest that took the org: verify now checks acme against v1
 * and names the same catch-up, which, followed, leaves acme on v1 with {@code schema diff} clean.
 */
class VerifyAfterARolledBackRolloutTest {

    @Test
    void anOrgARevertedRolloutStoppedOnIsCheckedAgainstTheRollbackAndNamedItsCatchUp(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            AtomicBoolean poolFails = new AtomicBoolean();
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog()).decoratePools(real -> MigrateAllFixture.stoppingOnAcme(real, poolFails::get));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            MigrateAllFixture.provision(cli, v1, List.of("acme", "globex"));
            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);

            poolFails.set(true);
            Cli.Result rollout = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
            poolFails.set(false);
            assertThat(rollout.exitCode()).as(rollout.toString()).isEqualTo(1);
            String v2Hash = strictJson(rollout).get("schema_hash").asText();
            assertThat(org(cli, "acme").get("schema_hash").isNull()).as("the rollout stopped part-way on acme").isTrue();

            ok(cli, "orgs", "suspend", "acme");
            Cli.Result rollback = ok(cli, "migrate-all", "--schema", v1.toString(), "-o", "json");
            String v1Hash = strictJson(rollback).get("schema_hash").asText();
            assertThat(v1Hash).isNotEqualTo(v2Hash);
            Cli.Result resumed = ok(cli, "orgs", "resume", "acme");
            String catchUp = "tenantctl migrate-all --org acme --schema-hash " + v1Hash;
            assertThat(resumed.err()).as(resumed.toString()).contains("next for acme: " + catchUp);
            assertThat(org(cli, "acme").get("next").asText()).startsWith(catchUp);

            Cli.Result verified = cli.run("verify", "--org", "acme", "-o", "json");
            JsonNode record = finding(strictJson(verified), "no_schema_record");
            assertThat(record).as(verified.toString()).isNotNull();
            assertThat(record.get("detail").asText()).as("checked against the rollback's manifest, not the reverted one")
                    .contains(v1Hash.substring(0, 12)).doesNotContain(v2Hash.substring(0, 12));
            assertThat(record.get("fix").asText()).isEqualTo(catchUp);

            Cli.Result followed = ok(cli, record.get("fix").asText().substring("tenantctl ".length()).split(" "));
            assertThat(followed.out()).as(followed.toString()).contains("failed 0");
            assertThat(org(cli, "acme").get("schema_hash").asText()).isEqualTo(v1Hash);
            ok(cli, "schema", "diff", "acme", "--schema", v1.toString());
            Cli.Result again = cli.run("verify", "--org", "acme", "-o", "json");
            assertThat(finding(strictJson(again), "no_schema_record")).as(again.toString()).isNull();
        }
    }

    private static JsonNode org(Cli cli, String orgId) {
        return strictJson(ok(cli, "orgs", "show", orgId, "-o", "json"));
    }

    private static JsonNode finding(JsonNode doc, String kind) {
        for (JsonNode f : doc.get("findings")) {
            if ("acme".equals(f.path("org_id").asText(null)) && kind.equals(f.get("kind").asText())) {
                return f;
            }
        }
        return null;
    }
}
