package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming the pools surface: {@code pools set-admin-url --url} documents
 * "postgres://USER:${VAR}@HOST:5432/postgres (or postgresql://, jdbc:postgresql://)", and set-admin-url accepts
 * {@code jdbc:postgresql://monitor:${PG_PW}@host:5432/postgres} (it even checks that the userinfo's password is a
 * placeholder). But {@code AdminUrl.resolve} hands a jdbc: URL to the driver as it is, userinfo and all, with no user or
 * password properties; PgJDBC has no userinfo syntax, so it takes "monitor:PASSWORD@host" for the host name and every
 * {@code pools stats} says "admin PostgreSQL … did not answer: The connection attempt failed." — against a server that
 * answers the postgres:// spelling of the very same URL. (The resolved password also travels as part of a host name
 * into DNS lookups and the driver's exceptions.) An accepted admin URL must work, or be refused when it is set.
 */
class AdminUrlJdbcFormWithUserInfoTest {

    @Test
    void theJdbcSpellingOfAWorkingAdminUrlWorksToo() {
        try (TestPools pools = new TestPools(1)) {
            String catalog = CliFixture.initialisedCatalog();
            Map<String, String> env = new HashMap<>(Map.of("TENANTCTL_CATALOG_URL", catalog, "USER", "test", "PG_PW", "not-checked"));
            Cli cli = new Cli(env);
            CliFixture.addPool(cli, "pool-0", pools.uri(0), 10, 1);
            URI server = URI.create(catalog.substring("jdbc:".length()));
            String hostPortDb = server.getHost() + ":" + server.getPort() + server.getPath();
            String user = userOf(server.getQuery());

            ok(cli, "pools", "set-admin-url", "pool-0", "--url", "postgres://" + user + ":${PG_PW}@" + hostPortDb);
            JsonNode plain = pool(strictJson(ok(cli, "pools", "stats", "pool-0", "-o", "json")));
            assertThat(plain.get("admin_error").isNull()).as("the postgres:// spelling answers: %s", plain).isTrue();

            Cli.Result set = cli.run("pools", "set-admin-url", "pool-0", "--url", "jdbc:postgresql://" + user + ":${PG_PW}@" + hostPortDb);
            if (set.exitCode() == 2) {
                return; // refused when set, naming the form that works: fine too
            }
            assertThat(set.exitCode()).as(set.toString()).isZero();
            JsonNode jdbc = pool(strictJson(ok(cli, "pools", "stats", "pool-0", "-o", "json")));
            assertThat(jdbc.get("admin_error").isNull())
                    .as("the same server, user and password in the jdbc:postgresql:// form set-admin-url accepted: %s", jdbc).isTrue();
            assertThat(jdbc.get("dead_tuples").isNumber()).as(jdbc.toString()).isTrue();
        }
    }

    private static String userOf(String query) {
        if (query != null) {
            for (String kv : query.split("&")) {
                if (kv.startsWith("user=")) {
                    return kv.substring(5);
                }
            }
        }
        return "postgres";
    }

    private static JsonNode pool(JsonNode stats) {
        return stats.get("pools").get(0);
    }
}
