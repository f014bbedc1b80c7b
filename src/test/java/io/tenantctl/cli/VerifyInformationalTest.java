package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.IndexOptions;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An org whose only finding is informational (an index its manifest does not list: the application may make its own) is
 * clean wherever verify says so — the exit code, the text summary, the -o json outcome and counts, --changed-only, and
 * the metrics file, whose tenantctl_findings counts problems.
 */
class VerifyInformationalTest {

    @Test
    void anOrgWithOnlyAnExtraIndexAndCollectionIsCleanInJsonMetricsAndChangedOnly(@TempDir Path dir) throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.db("acme").getCollection("users").createIndex(new Document("legacy", 1), new IndexOptions().name("legacy_1"));
            f.db("acme").createCollection("scratchpad"); // one the manifest does not list: reported, harmless
            f.backup("acme"); // a fresh backup: no backup_stale problem
            Path metrics = dir.resolve("v.prom");
            String[] args = {"verify", "--org", "acme", "--changed-only", "-o", "json", "--metrics-file", metrics.toString()};

            JsonNode first = strictJson(ok(f.cli, args));
            assertThat(first.get("problems").asInt()).isZero();
            assertThat(first.get("findings")).singleElement().satisfies(x -> {
                assertThat(x.get("kind").asText()).isEqualTo("schema_extra");
                assertThat(x.get("severity").asText()).isEqualTo("info");
                assertThat(x.get("detail").asText()).contains("users.legacy_1").contains("scratchpad (collection)");
            });
            assertThat(first.get("orgs")).singleElement().satisfies(o -> assertThat(o.get("outcome").asText()).isEqualTo("clean"));
            assertThat(first.get("counts")).as(first.toString()).hasSize(1);
            assertThat(first.get("counts").get("clean").asInt()).isEqualTo(1);

            Map<String, MetricFamily> m = MetricsFileTest.parse(metrics);
            assertThat(MetricsFileTest.gauge(m, "tenantctl_orgs", "verb", "verify", "outcome", "clean")).isEqualTo(1);
            assertThat(m.get("tenantctl_orgs").getMetrics()).as("no org counted with problems").hasSize(1);
            assertThat(m).as("tenantctl_findings counts problems; an extra index is not one").doesNotContainKey("tenantctl_findings");
            assertThat(MetricsFileTest.gauge(m, "tenantctl_problems", "verb", "verify")).isZero();

            JsonNode second = strictJson(ok(f.cli, args));
            assertThat(second.get("skipped_unchanged").asInt()).as("verified clean, unchanged since: skipped").isEqualTo(1);
            assertThat(second.get("orgs")).isEmpty();

            Cli.Result text = ok(f.cli, "verify", "--org", "acme");
            assertThat(text.out()).contains("verified 1 org(s): clean; 1 informational");
        }
    }
}
