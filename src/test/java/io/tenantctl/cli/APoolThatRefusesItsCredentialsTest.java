package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static io.tenantctl.cli.CliFixture.addPool;
import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper pointed a pool at a server that refuses its user's password (rotated in PostgreSQL, not in the
 * Secret): every command said the pool "is unreachable: Exception authenticating MongoCredential{…}", which says
 * neither why nor what the server answered, and verify's fix was "check the pool's FerretDB and network". The line now
 * says the pool refused tenantctl's credentials, with the server's answer, and the fix names the variable to check.
 */
@Timeout(60)
class APoolThatRefusesItsCredentialsTest {

    @Test
    void provisionSpillsPastItAndVerifyNamesTheVariableToCheck() {
        try (TestPools pools = new TestPools(2)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test", "POOL5_PASSWORD", "rotated-elsewhere"));
            // the stand-in has no users at all: any credentials are refused, as a wrong password is
            addPool(cli, "pool-5", pools.uri(1).replace("mongodb://", "mongodb://app:${POOL5_PASSWORD}@") + "/?authSource=admin", 10, 1);
            addPool(cli, "pool-0", pools.uri(0), 10, 2);

            Cli.Result p = cli.run("provision", "acme");
            assertThat(p.exitCode()).as(p.toString()).isZero();
            assertThat(p.err()).as(p.toString()).contains("pool pool-5 (").contains("refused tenantctl's credentials: authentication failed")
                    .doesNotContain("MongoCredential").doesNotContain("rotated-elsewhere");

            Cli.Result r = cli.run("verify", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            JsonNode doc = strictJson(r);
            assertThat(findings(doc, "pool_unreachable")).singleElement().satisfies(x -> {
                assertThat(x.get("pool_id").asText()).isEqualTo("pool-5");
                assertThat(x.get("detail").asText()).contains("refused tenantctl's credentials").doesNotContain("MongoCredential");
                assertThat(x.get("fix_note").asText()).as(r.toString())
                        .contains("${POOL5_PASSWORD}")
                        .endsWith("then: tenantctl verify --pool pool-5")
                        .doesNotContain("FerretDB and network");
            });
            assertThat(r.out() + r.err()).doesNotContain("rotated-elsewhere");
        }
    }

    /**
     * Found by the on-call audit: with the pool's user a placeholder too ({@code mongodb://${POOL6_USER}:${POOL6_PASSWORD}@…}),
     * the refusal named the user as resolved, "authentication failed (user 'SntU-…', …)": masked on stderr, but printed
     * as is in provision's table, pools stats (table and JSON), verify's findings, and stored in run_items.error. A value
     * the URI takes from the environment is masked there too; a user written in the URI is still named.
     */
    @Test
    void aUserTakenFromTheEnvironmentIsNotPrintedNorStored() throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Map<String, String> secrets = Map.of("POOL6_USER", "SntU-PoolUser-7Gh", "POOL6_PASSWORD", "SntP-PoolPass-8Jk");
            Map<String, String> env = new java.util.HashMap<>(secrets);
            env.putAll(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            Cli cli = new Cli(env);
            addPool(cli, "pool-6", pools.uri(0).replace("mongodb://", "mongodb://${POOL6_USER}:${POOL6_PASSWORD}@") + "/?authSource=admin", 10, 1);

            StringBuilder seen = new StringBuilder();
            for (String[] args : new String[][]{{"provision", "acme", "--pool", "pool-6"}, {"provision", "beta", "--pool", "pool-6", "-o", "json"},
                    {"pools", "stats", "pool-6"}, {"pools", "stats", "pool-6", "-o", "json"}, {"verify", "-o", "json"}}) {
                Cli.Result r = cli.run(args);
                assertThat(r.out() + r.err()).as("%s", r).contains("refused tenantctl's credentials");
                seen.append(r.out()).append(r.err());
            }
            assertThat(seen.toString()).contains("user '***'");
            io.tenantctl.testing.Sentinels.assertNone(secrets, seen.toString(), "output");
            io.tenantctl.testing.Sentinels.assertNone(secrets, io.tenantctl.testing.Sentinels.dumpCatalog(url), "the catalog");
        }
    }

    /**
     * A single-org command's check of a pool it needs (rebalance move, revert, restore) met a pool that refuses
     * tenantctl's credentials and said "pool pool-5 (the move's target) does not answer: pool pool-5 (mongodb://…) refused
     * tenantctl's credentials: …": the pool named twice, and "does not answer" for a pool that answered. It now says the
     * refusal once, with the variable to check and 'pools set-uri'; one whose ${VAR} is unset says to set it. Exit 3 both.
     */
    @Test
    void aMoveOntoAPoolThatRefusesItsCredentialsSaysSoOnce() {
        try (TestPools pools = new TestPools(2)) {
            String url = CliFixture.initialisedCatalog();
            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test", "POOL5_PASSWORD", "rotated-elsewhere");
            Cli cli = new Cli(env);
            addPool(cli, "pool-5", pools.uri(1).replace("mongodb://", "mongodb://app:${POOL5_PASSWORD}@") + "/?authSource=admin", 10, 1);
            addPool(cli, "pool-0", pools.uri(0), 10, 2);
            CliFixture.ok(cli, "provision", "acme", "--pool", "pool-0");

            Cli.Result json = cli.run("rebalance", "move", "acme", "--to", "pool-5", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(3);
            String message = strictJson(json).get("error").get("message").asText();
            assertThat(message).as(message).startsWith("pool pool-5 (the move's target) refused tenantctl's credentials: authentication failed")
                    .contains("check ${POOL5_PASSWORD} against the pool's user").contains("tenantctl pools set-uri pool-5 --uri")
                    .doesNotContain("does not answer").doesNotContain("rotated-elsewhere").doesNotContain("MongoCredential");
            assertThat(message.split("pool pool-5 ", -1)).as("pool-5 named once: %s", message).hasSize(2);

            Cli.Result text = cli.run("rebalance", "move", "acme", "--to", "pool-5");
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(3);
            assertThat(text.err().lines()).as("one line: %s", text).singleElement().satisfies(l -> assertThat(l)
                    .isEqualTo("error: " + message));
            assertThat(text.out() + text.err()).doesNotContain("rotated-elsewhere");

            Map<String, String> unset = new java.util.HashMap<>(env);
            unset.remove("POOL5_PASSWORD");
            Cli.Result notSet = new Cli(unset).run("rebalance", "move", "acme", "--to", "pool-5");
            assertThat(notSet.exitCode()).as(notSet.toString()).isEqualTo(3);
            assertThat(notSet.err().lines()).as("one line: %s", notSet).singleElement().satisfies(l -> assertThat(l)
                    .startsWith("error: pool pool-5 (the move's target): its URI references ${POOL5_PASSWORD}, which is not set")
                    .endsWith("then run this again").doesNotContain("does not answer"));
            assertThat(CliFixture.ok(cli, "orgs", "show", "acme").out()).as("nothing moved").contains("pool-0");
        }
    }

}
