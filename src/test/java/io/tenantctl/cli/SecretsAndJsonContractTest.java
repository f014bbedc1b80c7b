package io.tenantctl.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.TestCatalog;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two promises an operator relies on when piping tenantctl into other tools with an environment full of secrets:
 * no secret in any output (help, errors, logs with -v, JSON, the catalog itself), and {@code -o json} prints exactly
 * one JSON document on stdout, failures included. The commands run in a child JVM whose real environment holds
 * sentinel secrets in every place a secret can go, so that anything reading the environment behind tenantctl's back
 * (picocli's variable interpolation, SDK credential chains, loggers) is caught too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsAndJsonContractTest {

    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** name → sentinel value; each must appear nowhere, raw, percent-encoded or base64-encoded. */
    private static final Map<String, String> SENTINELS = new LinkedHashMap<>();

    static {
        SENTINELS.put("help placeholder POOL3_PASSWORD", "Snt1-Pool3Pw-7Qx!");
        SENTINELS.put("help placeholder ENV", "Snt2-EnvVar-8Rz");
        SENTINELS.put("help placeholder VAR", "Snt3-VarVar-9Ty");
        SENTINELS.put("catalog URL password", "Snt4-CatalogPw-2Kd");
        SENTINELS.put("config file catalog password", "Snt5-ConfigPw-3Lm");
        SENTINELS.put("pool-1 TLS key password (query placeholder)", "Snt6-TlsKeyPw-4Np");
        SENTINELS.put("pool-2 password (userinfo placeholder)", "Snt7-Pool2Pw-5Wq");
        SENTINELS.put("inline password (--allow-inline-password)", "Snt8-InlinePw-6Xs");
        SENTINELS.put("AWS session token in authMechanismProperties", "Snt9-SessionToken-7Yv");
        SENTINELS.put("password= query option", "Snt10-QueryPw-8Zu");
        SENTINELS.put("S3 secret key", "Snt11-S3SecretKey-9Ab");
        SENTINELS.put("closed-port catalog password", "Snt12-DeadCatPw-1Cd");
        SENTINELS.put("S3 secret key pasted into a store URL's query", "Snt13-StoreUrlKey-2Ef");
        SENTINELS.put("password holding a double quote, echoed back by picocli", "Snt14-Q\"uotePw-3Gh");
        SENTINELS.put("password holding an apostrophe, echoed back by picocli", "Snt15-A'postPw-4Hj");
        SENTINELS.put("password holding a quote then a comma, echoed back by picocli", "Snt16-Q',uotePw-5Jk");
        SENTINELS.put("password holding a quote then a space, echoed back by picocli", "Snt17-Q\" uotePw-6Km");
    }

    private TestPools pools;
    private S3ProxyFixture s3;

    @BeforeAll
    void start() throws Exception {
        pools = new TestPools(2);
        s3 = S3ProxyFixture.start("tenantctl-sentinel-access", SENTINELS.get("S3 secret key"));
    }

    @AfterAll
    void stop() throws Exception {
        pools.close();
        s3.close();
    }

    @Test
    void noHelpTextUsageMessageOrErrorExpandsAnEnvironmentVariable(@TempDir Path dir) throws Exception {
        Path commands = dir.resolve("commands.txt");
        Files.writeString(commands, "@every-command\n");
        Map<String, String> env = new HashMap<>();
        env.put("POOL3_PASSWORD", SENTINELS.get("help placeholder POOL3_PASSWORD"));
        env.put("ENV", SENTINELS.get("help placeholder ENV"));
        env.put("VAR", SENTINELS.get("help placeholder VAR"));
        ChildJvm.Exit exit = ChildJvm.run(dir, env, 120, ScanDriver.class.getName(), commands.toString(), dir.resolve("out").toString());
        assertThat(exit.code()).as(exit.err()).isZero();
        List<Run> runs = runs(dir.resolve("out"));

        int expected = ScanDriver.everyCommandsHelp().size();
        assertThat(runs).hasSize(expected).hasSizeGreaterThan(4 * 25);
        assertNoSentinel(exit.err(), "the child's stderr");
        assertThat(exit.err()).doesNotContain("[picocli WARN]");
        for (Run r : runs) {
            assertNoSentinel(r.out + r.err, r.toString());
            assertThat(r.out + r.err).as(r.toString()).doesNotContain("[picocli WARN]").doesNotContain("${picocli");
            List<String> a = r.args;
            if (a.contains("--no-such-option")) {
                assertThat(r.code).as(r.toString()).isEqualTo(2);
                assertThat(r.err).as(r.toString()).startsWith("error: ").contains("--help");
            } else if (a.contains("json")) {
                assertThat(r.code).as(r.toString()).isZero();
                JsonNode doc = strictJson(r);
                assertThat(doc.get("usage").asText()).as(r.toString()).startsWith("Usage: tenantctl");
            } else {
                assertThat(r.code).as(r.toString()).isZero();
                assertThat(r.out).as(r.toString()).startsWith("Usage: tenantctl");
            }
        }
        // the placeholders in the help are shown as written, not expanded
        Run poolsAddHelp = find(runs, "pools", "add", "--help");
        assertThat(poolsAddHelp.out).contains("${POOL3_PASSWORD}").contains("${ENV}").contains("Default: 500");
        // `help pools add` is the help of `pools add`
        assertThat(find(runs, "help", "pools", "add").out).isEqualTo(poolsAddHelp.out);
    }

    @Test
    void sentinelSecretsAppearNowhereAndEveryJsonAnswerIsOneDocument(@TempDir Path dir) throws Exception {
        String catalogJdbc = TestCatalog.newDatabase();
        URI jdbc = URI.create(catalogJdbc.substring("jdbc:".length()));
        String database = jdbc.getPath().substring(1);
        String catalogUrl = "postgres://postgres:" + enc(SENTINELS.get("catalog URL password")) + "@" + jdbc.getHost() + ":"
                + jdbc.getPort() + "/" + database;
        Path config = dir.resolve("tenantctl.properties");
        Files.writeString(config, "catalog=postgres://postgres:" + enc(SENTINELS.get("config file catalog password")) + "@"
                + jdbc.getHost() + ":" + jdbc.getPort() + "/" + database + "\n");
        Path small = CliFixture.smallSchema(dir);
        Path next = dir.resolve("next.json");
        Files.writeString(next, CliFixture.SMALL_SCHEMA.replace("{\"name\": \"email_1\"",
                "{\"name\": \"createdAt_1\", \"key\": {\"createdAt\": 1}},\n    {\"name\": \"email_1\""));
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"collections\": [{\"name\": \"users\", \"indexes\": [{\"name\": \"x\"}]}]}");
        String bucket = s3.newBucket();
        String p1 = pools.uri(0).substring("mongodb://".length());
        String p2 = pools.uri(1).substring("mongodb://".length());

        Map<String, String> env = new HashMap<>();
        env.put("TENANTCTL_CATALOG_URL", catalogUrl);
        env.put("TENANTCTL_STORE", "s3://" + bucket + "/fleet");
        env.putAll(s3.env());
        env.put("AWS_REGION", "us-east-1");
        env.put("USER", "sentinel-test");
        env.put("POOL1_TLS_PW", SENTINELS.get("pool-1 TLS key password (query placeholder)"));
        env.put("POOL2_PASSWORD", SENTINELS.get("pool-2 password (userinfo placeholder)"));
        env.put("POOL3_PASSWORD", SENTINELS.get("help placeholder POOL3_PASSWORD"));

        String inline = SENTINELS.get("inline password (--allow-inline-password)");
        String token = SENTINELS.get("AWS session token in authMechanismProperties");
        String deadCatalog = "postgres://postgres:" + SENTINELS.get("closed-port catalog password") + "@127.0.0.1:1/x";
        List<String> lines = List.of(
                "init\t-v",
                "pools\tadd\tpool-1\t--uri\tmongodb://" + p1 + "/?tlsCertificateKeyFilePassword=${POOL1_TLS_PW}\t--capacity\t3\t--priority\t1\t-v\t-o\tjson",
                "pools\tadd\tpool-2\t--uri\tmongodb://app:${POOL2_PASSWORD}@" + p2 + "/\t--capacity\t10\t--priority\t2\t--allow-unreachable\t-v",
                "pools\tadd\tpool-3\t--uri\tmongodb://app:" + inline + "@" + p1 + "/\t--capacity\t0\t--allow-inline-password\t--allow-unreachable\t-v\t-o\tjson",
                // checked (the stand-in knows no user, so it refuses the credentials): the refusal under -v shows no password
                "pools\tadd\tpool-6\t--uri\tmongodb://app:" + inline + "@" + p1 + "/\t--allow-inline-password\t-v\t-o\tjson",
                "pools\tadd\tpool-4\t--uri\tmongodb://" + p1 + "/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:" + token + "\t-v\t-o\tjson",
                "pools\tadd\tpool-4\t--uri\tmongodb://" + p1 + "/?password=" + SENTINELS.get("password= query option") + "\t-v",
                "pools\tadd\tpool-4\t--uri\tmongodb://app:" + inline + "@" + p1 + "/\t--dry-run\t-v\t-o\tjson",
                "pools\tadd\tpool-5\t--uri\tmongodb://" + p1 + "/?authMechanismProperties=AWS_SESSION_TOKEN:" + token + "\t--allow-inline-password\t--capacity\t0\t--dry-run\t-v",
                "pools\tlist\t-v\t-o\tjson",
                "pools\tlist\t-v",
                "pools\tshow\tpool-3\t-v",
                "pools\tshow\tpool-2\t-v\t-o\tjson",
                "pools\tdrain\tpool-2\t--dry-run\t-v\t-o\tjson",
                "pools\tenable\tpool-2\t-v\t-o\tjson",
                "pools\tset-uri\tpool-3\t--uri\tmongodb://app:" + inline + "@" + p1 + "/\t--dry-run\t-v\t-o\tjson",
                "schema\tshow\t-v\t-o\tjson",
                "provision\tacme-1\tacme-2\tacme-3\tacme-4\t--schema\t" + small + "\t-v\t-o\tjson",
                "provision\tacme-5\t--schema\t" + small + "\t-v",
                "orgs\tlist\t-v\t-o\tjson",
                "orgs\tshow\tacme-1\t-v\t-o\tjson",
                "orgs\tshow\tnosuch\t-v\t-o\tjson",
                "schema\tdiff\tacme-1\t--schema\t" + small + "\t-v\t-o\tjson",
                "schema\tdiff\tacme-4\t--schema\t" + small + "\t-v\t-o\tjson",
                "migrate-all\t--schema\t" + next + "\t--dry-run\t-v\t-o\tjson",
                "migrate-all\t--schema\t" + next + "\t-v\t-o\tjson",
                "runs\tlist\t-v\t-o\tjson",
                "runs\tshow\t@run_id\t-v\t-o\tjson",
                "backup\t--org\tacme-1\t-v\t-o\tjson",
                "backups\tlist\t-v\t-o\tjson",
                "backups\tshow\t@backup_id\t-v\t-o\tjson",
                "restore\t--org\tacme-1\t-v\t-o\tjson",
                "backups\tprune\t--dry-run\t-v\t-o\tjson",
                "provision\tBAD!\t-v\t-o\tjson",
                "provision\tacme-6\t--catalog\t" + deadCatalog + "\t-v\t-o\tjson",
                "orgs\tlist\t--catalog\t" + deadCatalog + "\t-v",
                "@unset=TENANTCTL_CATALOG_URL\torgs\tlist\t--config\t" + config + "\t-v\t-o\tjson",
                "@unset=TENANTCTL_CATALOG_URL\torgs\tlist\t-v\t-o\tjson",
                "provision\tacme-7\t--schema\t" + bad + "\t-v\t-o\tjson",
                "restore\t--org\tacme-1\t--backup\t20200101T000000Z-nosuch\t-v\t-o\tjson",
                "orgs\tlist\t--no-such-option\t-v\t-o\tjson",
                "@unset=TENANTCTL_STORE\tbackup\t--org\tacme-1\t-v\t-o\tjson",
                "backup\t--store\ts3://" + bucket + "/fleet?secretKey=" + SENTINELS.get("S3 secret key pasted into a store URL's query")
                        + "\t--org\tacme-1\t-v\t-o\tjson",
                "orgs\tlist\t--bogus\tmongodb://app:" + SENTINELS.get("password holding a double quote, echoed back by picocli")
                        + "@" + p1 + "/\t-v\t-o\tjson",
                "orgs\tlist\t--bogus\tmongodb://app:" + SENTINELS.get("password holding an apostrophe, echoed back by picocli")
                        + "@" + p1 + "/\t-v",
                "orgs\tlist\t--bogus\tapp:" + SENTINELS.get("password holding a double quote, echoed back by picocli") + "@" + p1 + "\t-v",
                "orgs\tlist\t--bogus\tmongodb://app:" + SENTINELS.get("password holding a quote then a comma, echoed back by picocli")
                        + "@" + p1 + "/\t-v\t-o\tjson",
                "orgs\tlist\t--bogus\tmongodb://app:" + SENTINELS.get("password holding a quote then a space, echoed back by picocli")
                        + "@" + p1 + "/\t-v",
                "--version\t-o\tjson",
                "help\tpools\tadd\t-v",
                "help\t-o\tjson");
        Path commands = dir.resolve("commands.txt");
        Files.writeString(commands, String.join("\n", lines) + "\n");

        ChildJvm.Exit exit = ChildJvm.run(dir, env, 300, ScanDriver.class.getName(), commands.toString(), dir.resolve("out").toString());
        assertThat(exit.code()).as(exit.err()).isZero();
        List<Run> runs = runs(dir.resolve("out"));
        assertThat(runs).hasSize(lines.size());

        // what ran did what it should: the scan is only worth something if the secrets were really used
        assertThat(find(runs, "pools", "add", "pool-1").code).as(find(runs, "pools", "add", "pool-1").toString()).isZero();
        Run inlineAdd = find(runs, "pools", "add", "pool-3");
        assertThat(inlineAdd.code).as(inlineAdd.toString()).isZero();
        assertThat(strictJson(inlineAdd).get("variables_to_set").get(0).asText()).isEqualTo("TENANTCTL_POOL_POOL_3_PASSWORD");
        assertThat(strictJson(inlineAdd).get("uri").asText()).contains("${TENANTCTL_POOL_POOL_3_PASSWORD}");
        Run checked = find(runs, "pools", "add", "pool-6");
        assertThat(checked.code).as(checked.toString()).isEqualTo(3);
        assertThat(strictJson(checked).get("error").get("message").asText()).as(checked.toString())
                .contains("pool pool-6 (mongodb://app:***@").contains("refused tenantctl's credentials").contains("--allow-unreachable");
        for (Run refused : runs.stream().filter(r -> r.args.contains("pool-4")).toList()) {
            assertThat(refused.code).as(refused.toString()).isEqualTo(2);
            assertThat(refused.err).as(refused.toString()).contains("${VAR}").contains("--allow-inline-password");
        }
        Run provision = find(runs, "provision", "acme-1");
        assertThat(provision.code).as(provision.toString()).isEqualTo(1);
        assertThat(strictJson(provision).get("provisioned").asInt()).isEqualTo(3);
        assertThat(strictJson(provision).get("failed").get(0).get("org_id").asText()).isEqualTo("acme-4");
        assertThat(find(runs, "migrate-all", "--schema", next.toString(), "-v").code).isZero();
        Run backup = find(runs, "backup", "--org", "acme-1", "-v", "-o");
        assertThat(backup.code).as(backup.toString()).isZero();
        assertThat(find(runs, "restore", "--org", "acme-1", "-v").code).isZero();
        Run pastedKey = find(runs, "backup", "--store");
        assertThat(pastedKey.code).as(pastedKey.toString()).isEqualTo(2);
        assertThat(pastedKey.err).as(pastedKey.toString()).contains("s3://" + bucket + "/fleet?***");
        for (Run echoed : runs.stream().filter(r -> r.args.contains("--bogus")).toList()) { // a quote in the password, masked
            assertThat(echoed.code).as(echoed.toString()).isEqualTo(2);
            assertThat(echoed.err).as(echoed.toString()).contains("Unknown option").contains("app:***@" + p1);
        }
        Run fromConfig = find(runs, "@unset", "orgs", "list", "--config");
        assertThat(fromConfig.code).as(fromConfig.toString()).isZero();
        Run runsShow = find(runs, "runs", "show");
        assertThat(runsShow.code).as(runsShow.toString()).isZero();
        assertThat(strictJson(runsShow).get("run").get("args").isObject()).as(runsShow.toString()).isTrue();
        assertThat(strictJson(find(runs, "--version")).get("version").isTextual()).isTrue();

        // promise 2: -o json gives one document on stdout, and a failure is {"error": {code, category, message}}
        for (Run r : runs) {
            if (!r.args.contains("json")) {
                continue;
            }
            JsonNode doc = strictJson(r);
            if (r.code != 0 && doc.has("error")) {
                assertThat(doc.get("error").get("code").asInt()).as(r.toString()).isEqualTo(r.code);
                assertThat(doc.get("error").get("category").asText()).as(r.toString()).isIn("usage", "config", "failed", "interrupted");
                assertThat(doc.get("error").get("message").asText()).as(r.toString()).isNotBlank();
            } else if (r.code == 2 || r.code == 3) {
                throw new AssertionError("exit " + r.code + " without an error document: " + r);
            }
        }
        assertThat(strictJson(find(runs, "orgs", "show", "nosuch")).get("error").get("category").asText()).isEqualTo("usage");
        assertThat(strictJson(find(runs, "provision", "acme-6")).get("error").get("category").asText()).isEqualTo("config");

        // promise 1: no sentinel in any output, the log, or the catalog
        assertNoSentinel(exit.err(), "the log (child stderr, -v levels)");
        assertNoSentinel(exit.out(), "the child's stdout");
        for (Run r : runs) {
            assertNoSentinel(r.out, "stdout of " + r.args);
            assertNoSentinel(r.err, "stderr of " + r.args);
        }
        assertNoSentinel(dumpCatalog(catalogJdbc), "a dump of every catalog table");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void assertNoSentinel(String text, String where) {
        io.tenantctl.testing.Sentinels.assertNone(SENTINELS, text, where);
    }

    private static String dumpCatalog(String jdbcUrl) throws Exception {
        String dump = io.tenantctl.testing.Sentinels.dumpCatalog(jdbcUrl);
        assertThat(dump).contains("pool-3").contains("acme-1");
        return dump;
    }

    private static JsonNode strictJson(Run r) {
        try {
            JsonNode doc = STRICT.readTree(r.out);
            if (doc == null) {
                throw new AssertionError("stdout is empty: " + r);
            }
            return doc;
        } catch (Exception e) {
            throw new AssertionError("stdout is not exactly one JSON document: " + r, e);
        }
    }

    /** The first run whose arguments start with {@code prefix} (an {@code @unset} line matches "@unset"). */
    private static Run find(List<Run> runs, String... prefix) {
        for (Run r : runs) {
            List<String> a = r.args.stream().map(x -> x.startsWith("@unset=") ? "@unset" : x).toList();
            if (a.size() >= prefix.length && a.subList(0, prefix.length).equals(List.of(prefix))) {
                return r;
            }
        }
        throw new AssertionError("no run of " + List.of(prefix));
    }

    private record Run(List<String> args, int code, String out, String err) {
        @Override
        public String toString() {
            return String.join(" ", args) + " → exit " + code + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    private static List<Run> runs(Path dir) throws Exception {
        List<Run> runs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".args")).sorted().toList()) {
                String base = f.toString().substring(0, f.toString().length() - ".args".length());
                String args = Files.readString(f);
                runs.add(new Run(List.of(args.split("\t", -1)), Integer.parseInt(Files.readString(Path.of(base + ".code"))),
                        Files.readString(Path.of(base + ".out")), Files.readString(Path.of(base + ".err"))));
            }
        }
        return runs;
    }
}
