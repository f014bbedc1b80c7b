package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: {@code orgs adopt --dry-run} skips every check the catalog makes at adoption time
 * ({@code OrgRepository.adopt}: a database another org already owns, a retired copy, a failed row on another pool), so
 * it reports "planned", exit 0, for an adoption the real run refuses with exit 1 — and discover's own next step is
 * exactly such a dry run. It also counts a failed row it would take over as a new place on the pool, warning of a
 * capacity overrun the real adoption does not cause.
 */
class AdoptDryRunTellsTheTruthTest {

    private static TestPools pools;
    private static MongoClient client;

    @BeforeAll
    static void start() {
        pools = new TestPools(1);
        client = MongoClients.create(pools.uri(0));
    }

    @AfterAll
    static void stop() {
        client.close();
        pools.close();
    }

    @Test
    void aDryRunRefusesADatabaseAnotherOrgOwns_asTheRealRunDoes(@TempDir Path dir) {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        Path schema = CliFixture.smallSchema(dir);
        ok(cli, "provision", "acme", "--schema", schema.toString());

        Cli.Result dry = cli.run("orgs", "adopt", "acme-copy", "--database", "org_acme", "--pool", "pool-1", "--schema", schema.toString(),
                "--dry-run", "-o", "json");
        Cli.Result real = cli.run("orgs", "adopt", "acme-copy", "--database", "org_acme", "--pool", "pool-1", "--schema", schema.toString(),
                "-o", "json");

        assertThat(real.exitCode()).as("the real adoption: %s", real).isEqualTo(1);
        assertThat(strictJson(real).get("orgs").get(0).get("error").asText()).contains("already belongs to org 'acme'");
        assertThat(dry.exitCode()).as("the dry run says what the real run does: %s", dry).isEqualTo(real.exitCode());
        JsonNode planned = strictJson(dry).get("orgs").get(0);
        assertThat(planned.get("outcome").asText()).as("dry run: %s", dry).isEqualTo("failed");
        assertThat(planned.get("error").asText()).contains("already belongs to org 'acme'");
    }

    @Test
    void aDryRunTakingOverAFailedRowWarnsOfNoCapacityOverrunTheRealRunDoesNotCause(@TempDir Path dir) {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 1, 1);
        Path schema = CliFixture.smallSchema(dir);
        client.getDatabase("org_full_taken").getCollection("users").insertOne(new Document("email", "a@b"));
        assertThat(cli.run("provision", "full-taken", "--schema", schema.toString(), "--pool", "pool-1").exitCode()).isEqualTo(1);
        assertThat(strictJson(ok(cli, "orgs", "show", "full-taken", "-o", "json")).get("status").asText()).isEqualTo("failed");

        Cli.Result dry = ok(cli, "orgs", "adopt", "full-taken", "--pool", "pool-1", "--schema", schema.toString(), "--dry-run", "-o", "json");
        Cli.Result real = ok(cli, "orgs", "adopt", "full-taken", "--pool", "pool-1", "--schema", schema.toString(), "-o", "json");

        assertThat(strictJson(real).get("capacity_warning").isNull()).as("real: %s", real).isTrue();
        assertThat(strictJson(ok(cli, "pools", "show", "pool-1", "-o", "json")).toString()).contains("\"orgs\":1");
        assertThat(strictJson(dry).get("capacity_warning").isNull())
                .as("the dry run warns the pool would be over capacity; the real run takes over the row already counted: %s", dry).isTrue();
    }
}
