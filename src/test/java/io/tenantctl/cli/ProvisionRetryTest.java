package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoCommandException;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
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
        return new MongoCommandException(new BsonDocument("ok", new BsonDouble(0)).append("code", new BsonInt32(code))
                .append("errmsg", new BsonString(message)), new ServerAddress());
    }

    /**
     * Wraps pool access so that database {@code database}'s first {@code failures} runCommand calls matching {@code which}
     * throw {@code error}; everything else goes to the real pool.
     */
    static PoolConnector failing(PoolConnector real, String database, Predicate<Document> which, int failures,
                                 RuntimeException error, AtomicInteger thrown) {
        return new PoolConnector() {
            @Override
            public MongoDatabase database(String poolId, String uri, String name) {
                MongoDatabase db = real.database(poolId, uri, name);
                if (!name.equals(database)) {
                    return db;
                }
                return (MongoDatabase) Proxy.newProxyInstance(MongoDatabase.class.getClassLoader(), new Class<?>[]{MongoDatabase.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("runCommand") && args != null && args.length > 0
                                    && args[0] instanceof Document cmd && which.test(cmd) && thrown.get() < failures) {
                                thrown.incrementAndGet();
                                throw error;
                            }
                            try {
                                return method.invoke(db, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }

            @Override
            public void ping(String poolId, String uri) {
                real.ping(poolId, uri);
            }

            @Override
            public void close() {
                real.close();
            }
        };
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

        // and the retried org really got its whole schema
        JsonNode diff = CliFixture.strictJson(ok(cli, "schema", "diff", "beta-co", "--schema", CliFixture.smallSchema(dir).toString(), "-o", "json"));
        assertThat(diff.get("up_to_date").asBoolean()).as(diff.toPrettyString()).isTrue();
        assertThat(CliFixture.strictJson(ok(cli, "orgs", "show", "beta-co", "-o", "json")).get("status").asText()).isEqualTo("active");
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
        assertThat(CliFixture.strictJson(ok(cli, "orgs", "show", "beta-co", "-o", "json")).get("status").asText()).isEqualTo("failed");
        assertThat(CliFixture.strictJson(ok(cli, "orgs", "show", "alpha", "-o", "json")).get("status").asText()).isEqualTo("active");
    }
}
