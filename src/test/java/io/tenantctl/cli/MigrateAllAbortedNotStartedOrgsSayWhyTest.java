package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ids;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.commandError;
import static io.tenantctl.cli.MigrateAllFixture.hooked;
import static io.tenantctl.cli.MigrateAllFixture.isCreateIndexes;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README (one result shape): every fan-out verb's -o json has the same org lines. An org a run aborted before reaching says
 * so in provision and backup ({@code "error": "not started: run aborted"}, RunReport.why); migrate-all's said
 * {@code "error": null}, as if nothing were the matter with an org the rollout never touched.
 */
@Timeout(60)
class MigrateAllAbortedNotStartedOrgsSayWhyTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void theOrgsAnAbortedRolloutNeverStartedSayTheRunWasAborted(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        CliFixture.addPool(Cli.withCatalog(url), "pool-a", pools.uri(0), 100, 1);
        List<String> orgs = ids("o", 0, 4);
        MigrateAllFixture.provision(Cli.withCatalog(url), write(dir, "v1.json", V1), orgs);
        Path v2 = write(dir, "v2.json", V2_ADD);

        // every createIndexes fails; --max-failures 0 aborts the run at the first failure (one org at a time: the rest never start)
        Cli failing = Cli.withCatalog(url).decoratePools(real -> hooked(real, (db, cmd) -> {
            if (isCreateIndexes(cmd)) {
                throw commandError(2, "injected: bad index spec");
            }
        }));
        Cli.Result r = failing.run("migrate-all", "--schema", v2.toString(), "--max-failures", "0", "--per-pool", "1", "--concurrency", "1",
                "-o", "json");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        JsonNode s = strictJson(r);
        assertThat(s.get("status").asText()).isEqualTo("aborted");
        List<JsonNode> notStarted = new ArrayList<>();
        s.get("orgs").forEach(o -> {
            if (o.get("outcome").asText().equals("not_started")) {
                notStarted.add(o);
            }
        });
        assertThat(notStarted).as(r.toString()).hasSize(3)
                .allSatisfy(o -> assertThat(o.get("error").asText(null)).isEqualTo("not started: run aborted"));
    }
}
