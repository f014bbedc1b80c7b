package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.ops.run.Worker;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found {@code migrate-all --dry-run} saying an org whose provision was in flight (provisioning under a
 * live provision's lease) would be "skipped … org became provisioning before it was migrated", exit 0, while the real run
 * waits for it like any busy org and fails it after --busy-timeout. README: such an org is "waited for like any busy
 * org", and a dry run lists each org "as the run would then take it".
 */
class MigrateAllDryRunOfAnOrgInProvisionTest {

    private static final String V2 = CliFixture.smallSchemaWithUniqueUsername(true);

    @TempDir
    Path dir;

    @Test
    void theDryRunPlansAnOrgInProvisionAsTheRunWaitsForIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path v2 = Files.writeString(dir.resolve("v2.json"), V2);
            f.provision("a1", "a2");
            // a1's provision in flight: provisioning, its lease held by this live process
            Worker me = Worker.current("test");
            TestCatalog.execute(f.catalogUrl, "update orgs set status = 'provisioning', version = version + 1 where org_id = 'a1'");
            TestCatalog.execute(f.catalogUrl, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) values "
                    + "('a1', '" + me.host() + "/" + ProcessHandle.current().pid() + "/live', '" + me.host() + "', "
                    + ProcessHandle.current().pid() + ", 'provision', null, now() + interval '5 minutes')");

            Cli.Result dry = f.cli.run("migrate-all", "--schema", v2.toString(), "--dry-run", "-o", "json");
            Cli.Result real = f.cli.run("migrate-all", "--schema", v2.toString(), "--busy-timeout", "0", "-o", "json");

            Map<String, JsonNode> ran = orgs(strictJson(real));
            assertThat(ran.get("a1").get("outcome").asText()).as(real.toString()).isEqualTo("failed");
            assertThat(ran.get("a1").get("error").asText()).as(real.toString()).contains("is busy: provision by");
            JsonNode a1 = orgs(strictJson(dry)).get("a1");
            assertThat(a1.get("outcome").asText()).as("the run waits for a1 and migrates it once its provision is done: %s", dry)
                    .isEqualTo("planned");
            assertThat(a1.get("error").asText()).as(dry.toString()).doesNotContain("became")
                    .contains("busy: provision by").contains("waits for it");
            assertThat(a1.get("plan").get("create_indexes").toString()).as(dry.toString()).contains("users.username_1");
        }
    }

    private static Map<String, JsonNode> orgs(JsonNode doc) {
        Map<String, JsonNode> out = new HashMap<>();
        doc.get("orgs").forEach(o -> out.put(o.get("org_id").asText(), o));
        return out;
    }
}
