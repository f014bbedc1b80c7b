package io.tenantctl.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * --log-format json: every line on stderr is one JSON object with ts, level and msg (and the verb, run id and org where
 * known), stdout keeps its one document, and no secret from the environment shows up in either.
 */
class LogFormatTest {

    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Every non-empty stderr line, each parsed as a JSON object with ts, level and msg. */
    static List<JsonNode> jsonLines(String err) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : err.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode o;
            try {
                o = STRICT.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("stderr line is not one JSON object: " + line + "\n--- stderr ---\n" + err, e);
            }
            assertThat(o.isObject()).as(line).isTrue();
            assertThat(o.get("ts").asText()).as(line).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(o.get("level").asText()).as(line).isIn("debug", "info", "warn", "error");
            assertThat(o.hasNonNull("msg")).as(line).isTrue();
            lines.add(o);
        }
        return lines;
    }

    @Test
    void aProvisionWithAFailingOrgLogsOneJsonObjectALine(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url).decoratePools(real -> ProvisionRetryTest.failing(real, "org_beta", ProvisionRetryTest::isCreateIndexes,
                    100, ProvisionRetryTest.ferretError(2, "bad value from the test"), new AtomicInteger()));
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 100, 1);

            Cli.Result r = cli.run("provision", "alpha", "beta", "--schema", CliFixture.smallSchema(dir).toString(), "--log-format", "json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            String runId = r.out().lines().filter(l -> l.startsWith("run ")).findFirst().orElseThrow().split("[ :]")[1];
            List<JsonNode> lines = jsonLines(r.err());
            JsonNode failed = lines.stream().filter(l -> l.path("org_id").asText().equals("beta")).findFirst()
                    .orElseThrow(() -> new AssertionError("no log line names the failed org: " + r));
            assertThat(failed.get("level").asText()).isEqualTo("error");
            assertThat(failed.get("verb").asText()).isEqualTo("provision");
            assertThat(failed.get("run_id").asText()).isEqualTo(runId);
            assertThat(failed.get("pool_id").asText()).isEqualTo("pool-1");
            assertThat(failed.get("error").asText()).contains("bad value from the test");
            assertThat(failed.get("next_step").asText()).contains("tenantctl provision beta");

            // with -o json too: stdout is the one document, stderr JSON lines
            Cli.Result json = cli.run("provision", "gamma", "beta", "--schema", CliFixture.smallSchema(dir).toString(), "-o", "json",
                    "--log-format", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);
            assertThat(CliFixture.strictJson(json).get("failed").get(0).get("org_id").asText()).isEqualTo("beta");
            jsonLines(json.err());

            // and the text format is as it was
            Cli.Result text = cli.run("provision", "beta", "--schema", CliFixture.smallSchema(dir).toString());
            assertThat(text.exitCode()).as(text.toString()).isEqualTo(1);
            assertThat(text.err()).contains("failed: beta on pool-1: ").contains("  next: tenantctl provision beta");
        }
    }

    @Test
    void aUsageErrorIsJsonToo() {
        Cli cli = new Cli(Map.of("USER", "test"));
        Cli.Result r = cli.run("provision", "--no-such-option", "--log-format", "json", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        CliFixture.strictJson(r);
        List<JsonNode> lines = jsonLines(r.err());
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("level").asText()).isEqualTo("error");
        assertThat(lines.get(0).get("msg").asText()).contains("--no-such-option");
        assertThat(lines.get(0).get("usage").asText()).contains("tenantctl provision");

        Cli.Result bad = cli.run("provision", "acme", "--log-format", "json", "--concurrency", "0", "--catalog", "postgres://x@127.0.0.1:1/x");
        assertThat(bad.exitCode()).as(bad.toString()).isIn(2, 3);
        assertThat(jsonLines(bad.err())).isNotEmpty().allSatisfy(l -> assertThat(l.get("level").asText()).isEqualTo("error"));
    }

    /**
     * The real entry point in a child JVM whose environment holds sentinel secrets, at -v (libraries log at info): every
     * line of the process's stderr — tenantctl's, the loggers', stack traces — is JSON, and no sentinel appears anywhere.
     */
    @Test
    void theWholeProcessStderrIsJsonAndHoldsNoSecret(@TempDir Path dir) throws Exception {
        String catalogPw = "Snt-LogCatalogPw-4Qz";
        String awsSecret = "Snt-LogAwsSecret-7Kp";
        // a password holding '&', ' ' and ';' (the driver prints it resolved, and the last mask stopped at the first of them)
        String proxyTail = "Snt-LogProxyTail-8Jd";
        String proxyPw = "Snt-LogProxyPw-2Wm&" + proxyTail + " one;two";
        String jdbcUrl = TestCatalog.newDatabase();
        URI jdbc = URI.create(jdbcUrl.substring("jdbc:".length()));
        String catalogUrl = "postgres://postgres:" + catalogPw + "@" + jdbc.getHost() + ":" + jdbc.getPort() + jdbc.getPath();
        try (TestPools pools = new TestPools(2)) {
            Map<String, String> env = new HashMap<>();
            env.put("TENANTCTL_CATALOG_URL", catalogUrl);
            env.put("AWS_SECRET_ACCESS_KEY", awsSecret);
            env.put("USER", "log-test");
            List<ChildJvm.Exit> exits = new ArrayList<>();
            exits.add(child(dir, "init", env, "init", "--log-format", "json", "-v"));
            exits.add(child(dir, "pool-dead", env, "pools", "add", "pool-dead", "--uri", pools.uri(1), "--capacity", "1", "--priority", "1",
                    "--log-format", "json", "-v"));
            exits.add(child(dir, "pool-a", env, "pools", "add", "pool-a", "--uri", pools.uri(0), "--priority", "2", "--log-format", "json"));
            pools.kill(1);
            // pinned to the dead pool (unpinned, new orgs spill past it)
            ChildJvm.Exit provision = child(dir, "provision", env, "provision", "d1", "--pool", "pool-dead", "--schema", CliFixture.smallSchema(dir).toString(),
                    "--log-format", "json", "-v", "-o", "json");
            exits.add(provision);
            // found by a probing helper: at -v the driver logs each client's settings, a proxy's password in clear
            env.put("TENANTCTL_PROXY_PW", proxyPw);
            String proxied = pools.uri(0) + (pools.uri(0).contains("?") ? "&" : (pools.uri(0).endsWith("/") ? "?" : "/?"))
                    + "proxyHost=127.0.0.1&proxyPort=1&proxyUsername=u&proxyPassword=${TENANTCTL_PROXY_PW}";
            exits.add(child(dir, "pool-proxied", env, "pools", "add", "pool-proxied", "--uri", proxied, "--capacity", "1", "--priority", "3",
                    "--allow-unreachable", "--log-format", "json"));
            List<ChildJvm.Exit> text = new ArrayList<>();
            for (String format : List.of("text", "json")) {
                ChildJvm.Exit stats = child(dir, "stats-" + format, env, "pools", "stats", "pool-proxied", "-v", "--log-format", format);
                assertThat(stats.err()).as("the driver's settings line is there to hold it").contains("proxySettings=");
                (format.equals("json") ? exits : text).add(stats);
            }
            for (ChildJvm.Exit e : text) {
                assertThat(e.out() + e.err()).as(e.stderr().toString()).doesNotContain(proxyPw).doesNotContain(proxyTail).doesNotContain(catalogPw);
            }
            ChildJvm.Exit usage = child(dir, "usage", env, "provision", "--no-such-option", "--log-format", "json", "-v");
            exits.add(usage);

            assertThat(provision.code()).as(provision.err()).isEqualTo(1);
            assertThat(STRICT.readTree(provision.out()).get("failed").get(0).get("org_id").asText()).isEqualTo("d1");
            assertThat(jsonLines(provision.err())).anySatisfy(l -> assertThat(l.path("logger").asText()).startsWith("org.mongodb.driver"));
            assertThat(usage.code()).isEqualTo(2);
            assertThat(jsonLines(usage.err())).isNotEmpty();
            for (ChildJvm.Exit e : exits) {
                jsonLines(e.err());
                for (String secret : List.of(catalogPw, awsSecret, proxyPw, proxyTail)) {
                    assertThat(e.out() + e.err()).as(e.stderr().toString()).doesNotContain(secret);
                }
            }
        }
    }

    private static ChildJvm.Exit child(Path dir, String name, Map<String, String> env, String... args) throws Exception {
        return ChildJvm.run(dir.resolve(name), env, 120, Main.class.getName(), args);
    }
}
