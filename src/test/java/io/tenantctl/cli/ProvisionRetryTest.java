package io.tenantctl.cli;

import io.tenantctl.testing.HookedPools;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoCommandException;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** A FerretDB deadlock on createIndexes is retried, and the run records how many attempts it took. */
class ProvisionRetryTest {

    private final TestPools pools = new TestPools(1);

    @AfterEach
    void stop() {
        pools.close();
    }

    static MongoCommandException ferretError(int code, String message) {
        return HookedPools.commandError(code, message);
    }

    /**
     * Wraps pool access so that database {@code database}'s first {@code failures} runCommand calls matching {@code which}
     * throw {@code error}; everything else goes to the real pool.
     */
    static PoolConnector failing(PoolConnector real, String database, Predicate<Document> which, int failures,
                                 RuntimeException error, AtomicInteger thrown) {
        return HookedPools.onCommand(real, (name, cmd) -> {
            if (name.equals(database) && which.test(cmd) && thrown.get() < failures) {
                thrown.incrementAndGet();
                throw error;
            }
        });
    }

    static boolean isCreateIndexes(Document cmd) {
        return !cmd.isEmpty() && cmd.keySet().iterator().next().equals("createIndexes");
    }

    @Test
    void deadlockedCreateIndexesIsRetriedAndAttemptsAreRecorded(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        AtomicInteger thrown = new AtomicInteger();
        Cli cli = Cli.withCatalog(url).decoratePools(real -> failing(real, "org_beta_co", ProvisionRetryTest::isCreateIndexes, 2,
                ferretError(1, "deadlock detected"), thrown));
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);

        Cli.Result r = cli.run("provision", "alpha", "beta-co", "gamma", "--schema", CliFixture.smallSchema(dir).toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(thrown).hasValue(2);
        JsonNode summary = CliFixture.strictJson(r);
        assertThat(summary.get("provisioned").asInt()).isEqualTo(3);
        String runId = summary.get("run_id").asText();

        JsonNode run = CliFixture.strictJson(ok(cli, "runs", "show", runId, "-o", "json"));
        assertThat(run.get("run").get("status").asText()).isEqualTo("succeeded");
        JsonNode beta = CliFixture.runItem(run, "beta-co");
        assertThat(beta.get("status").asText()).isEqualTo("succeeded");
        assertThat(beta.get("attempts").asInt()).isEqualTo(3);
        assertThat(CliFixture.runItem(run, "alpha").get("attempts").asInt()).isEqualTo(1);
        assertThat(CliFixture.runItem(run, "gamma").get("attempts").asInt()).isEqualTo(1);

        // and the retried org really got its whole schema, as did the others
        assertThat(CliFixture.strictJson(ok(cli, "orgs", "show", "beta-co", "-o", "json")).get("status").asText()).isEqualTo("active");
        CliFixture.assertClean(url, CliFixture.smallSchema(dir), List.of("alpha", "beta-co", "gamma"));
    }

    @Test
    void nonRetryableErrorFailsTheOrgAtOnceAndTheOthersStillSucceed(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        AtomicInteger thrown = new AtomicInteger();
        Cli cli = Cli.withCatalog(url).decoratePools(real -> failing(real, "org_beta_co", ProvisionRetryTest::isCreateIndexes, 100,
                ferretError(85, "index email_1 already exists with different options"), thrown));
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);

        Cli.Result r = cli.run("provision", "alpha", "beta-co", "--schema", CliFixture.smallSchema(dir).toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(thrown).as("code 85 is never retried").hasValue(1);
        assertThat(r.err()).contains("beta-co").contains("code 85").contains("createIndexes on users");
        JsonNode beta = CliFixture.strictJson(ok(cli, "orgs", "show", "beta-co", "-o", "json"));
        assertThat(beta.get("status").asText()).isEqualTo("failed");
        assertThat(CliFixture.strictJson(ok(cli, "orgs", "show", "alpha", "-o", "json")).get("status").asText()).isEqualTo("active");

        // end state: alpha has its whole schema; beta-co records no schema, and indeed lacks the indexes it failed on
        CliFixture.assertClean(url, CliFixture.smallSchema(dir), List.of("alpha"));
        assertThat(beta.get("schema_hash").isNull()).as("a failed org records no schema: %s", beta).isTrue();
        SchemaDiff betaDiff = SchemaCheck.diff(url, "beta-co", SchemaManifest.load(CliFixture.smallSchema(dir)));
        assertThat(betaDiff.missingIndexes()).as("the failed createIndexes on users").containsKey("users");
    }
}
