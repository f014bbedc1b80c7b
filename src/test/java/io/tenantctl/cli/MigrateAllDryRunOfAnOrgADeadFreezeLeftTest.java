package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.LibreChatFixtures;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team n: the nightly `backup --freeze` of globex was killed (the node was lost) while globex was frozen: globex is
 * read_only under an expired backup lease that recorded frozen_from=active. The deploy pipeline's
 * `migrate-all --schema 0.0.71-search --dry-run` says globex is "skipped" ("org became read_only before it was
 * migrated") and leaves its 6 new indexes out of the totals; the real run that follows puts the dead freeze right first
 * (LeaseRecovery.sweep) and migrates globex. "--dry-run prints, per org and in total, collections and indexes to create":
 * the plan the operator approved is not what ran.
 */
@Timeout(240)
class MigrateAllDryRunOfAnOrgADeadFreezeLeftTest {

    @TempDir
    Path dir;

    @Test
    void theDryRunPlansTheOrgTheRealRunMigrates() throws Exception {
        List<String> orgs = List.of("acme", "globex", "initech");
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);
            Path current = MigrateAllFixture.write(dir, "librechat-0.0.71.json", LibreChatFixtures.read(LibreChatFixtures.manifestResource("0.0.71")));
            Path search = MigrateAllFixture.write(dir, "librechat-0.0.71-search.json",
                    LibreChatFixtures.read(LibreChatFixtures.manifestResource("0.0.71-search")));
            MigrateAllFixture.provision(cli, current, orgs);
            // what a `backup --freeze` killed mid-copy leaves: the org read_only, its lease (frozen_from active) run out
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.executeUpdate("update orgs set status = 'read_only', version = version + 1 where org_id = 'globex'");
                s.executeUpdate("insert into org_leases (org_id, holder, host, pid, operation, run_id, state, lease_until) values "
                        + "('globex', 'lost-node/4242/beef', 'lost-node', 4242, 'backup', null, '{\"frozen_from\": \"active\"}'::jsonb, "
                        + "now() - interval '10 minutes')");
            }

            Cli.Result dry = cli.run("migrate-all", "--schema", search.toString(), "--dry-run", "-o", "json");
            Cli.Result real = cli.run("migrate-all", "--schema", search.toString(), "-o", "json");
            assertThat(real.exitCode()).as(real.toString()).isZero();
            assertThat(MigrateAllFixture.hashes(cli).values()).containsOnly(SchemaManifest.load(search).hash());
            CliFixture.assertClean(url, search, orgs);

            Map<String, String> planned = outcomes(strictJson(dry));
            Map<String, String> ran = outcomes(strictJson(real));
            assertThat(ran).as(real.toString()).containsEntry("globex", "migrated");
            assertThat(planned).as("the dry run's outcome per org, against the real run's %s\n%s", ran, dry)
                    .containsEntry("acme", "planned").containsEntry("globex", "planned").containsEntry("initech", "planned");
            assertThat(strictJson(dry).get("totals").get("create_indexes").asInt()).as(dry.toString())
                    .isEqualTo(countCreated(strictJson(real)));
        }
    }

    private static Map<String, String> outcomes(JsonNode doc) {
        Map<String, String> out = new LinkedHashMap<>();
        doc.get("orgs").forEach(o -> out.put(o.get("org_id").asText(), o.get("outcome").asText()));
        return out;
    }

    private static int countCreated(JsonNode doc) {
        int n = 0;
        for (JsonNode o : doc.get("orgs")) {
            n += o.path("plan").path("create_indexes").size();
        }
        return n;
    }
}
