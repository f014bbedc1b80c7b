package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.Sentinels;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team: "no password, token or secret key is ever printed nor stored", against refusals and echoes that quote
 * what they were given. Pass 4: pools set-admin-url / add errors, S3 store faults. Pass g: what an operator really
 * pastes at 3 a.m. — an option of the neighbouring command, a URL whose password holds a character URLs reserve
 * ('/', '#', '?', '@': generated passwords and AWS secret keys are full of them). Each case quotes the secret back,
 * or keeps it in the catalog.
 */
class SecretsInRefusalsTest {

    private static TestPools pools;

    @BeforeAll
    static void start() {
        pools = new TestPools(1);
    }

    @AfterAll
    static void stop() {
        pools.close();
    }

    /**
     * "Never a password": an admin URL typed without its scheme (or with a typo in it) is refused, and the refusal quotes
     * the URL's first 12 characters — for USER:PASSWORD@HOST that is the user and (the start of) the password. Pool URIs
     * mask the user info in the same refusal; admin URLs do not.
     */
    @Test
    void anAdminUrlWithoutItsSchemeIsRefusedWithoutQuotingItsPassword() {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        for (String typed : new String[]{"pg:Hunter2xy@pg-1:5432/postgres", "postgres:/pg:Hunter2xy@pg-1:5432/postgres",
                "postgress://pg:Hunter2xy@pg-1/postgres"}) {
            for (String output : new String[]{"table", "json"}) {
                Cli.Result r = cli.run("pools", "set-admin-url", "pool-1", "--url", typed, "-o", output);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.out() + r.err()).as("the admin URL's password, or its start, must never be shown: " + r)
                        .doesNotContain("Hunt");
            }
        }
    }

    /**
     * "Every failure one clear line saying what failed, on what, what to do." An S3 store whose credentials are half set
     * (AWS_SECRET_ACCESS_KEY without AWS_ACCESS_KEY_ID, say a Secret key renamed) exits 3, but its one line is the AWS
     * SDK's dump of its whole provider chain — thousands of characters of class names (SystemPropertyCredentialsProvider,
     * ProfileCredentialsProvider(profileName=default, profileFile=ProfileFile(sections=[])), …) — and never says that
     * the secret it was given was ignored for want of the key id.
     */
    @Test
    void anS3StoreWithHalfItsCredentialsSaysSoInOneShortLine(@TempDir Path dir) throws Exception {
        try (io.tenantctl.store.S3ProxyFixture s3 = io.tenantctl.store.S3ProxyFixture.start()) {
            Map<String, String> env = new HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + s3.newBucket() + "/b");
            env.put("AWS_REGION", "us-east-1");
            env.remove("AWS_ACCESS_KEY_ID");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                Cli.Result r = f.cli.run("backup", "--org", "acme", "-o", "json");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                String line = r.err().strip();
                assertThat(line.lines().count()).as(r.toString()).isEqualTo(1);
                assertThat(line).as("what to do: name the missing variable").contains("AWS_ACCESS_KEY_ID");
                assertThat(line).as("a clear line, not the SDK's provider chain: " + line.length() + " characters").doesNotContain("ProviderChain")
                        .hasSizeLessThan(400);
            }
        }
    }

    /**
     * A host is not a secret (README, Security): a pool URI that takes its host from a variable
     * (mongodb://app:${PW}@${HOST}:1/) is named as stored, and the connection error shows the host it resolved to, so an
     * operator sees which server did not answer; the password's value is still never shown. Pins behaviour: no main code.
     */
    @Test
    void aHostFromAVariableIsShownResolvedInAConnectionErrorAndThePasswordNever() {
        String catalog = CliFixture.initialisedCatalog();
        Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", catalog, "USER", "test",
                "GDT_POOL_HOST", "127.0.0.1", "GDT_POOL_PASSWORD", "Snt-HostPw-7Qx"));
        CliFixture.addPool(cli, "pool-9", "mongodb://app:${GDT_POOL_PASSWORD}@${GDT_POOL_HOST}:1/", 10, 1);
        Cli.Result r = cli.run("verify", "--pool", "pool-9");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        assertThat(r.out()).as(r.toString()).contains("pool_unreachable")
                .contains("(mongodb://app:${GDT_POOL_PASSWORD}@${GDT_POOL_HOST}:1/) is unreachable")
                .contains("(127.0.0.1:1: connection refused)");
        assertNotShown("Snt-HostPw-7Qx", r);
    }

    private static void assertNotShown(String secret, Cli.Result r) {
        assertThat(r.out() + r.err()).as("the secret '" + secret + "' must never be printed: " + r).doesNotContain(secret);
    }

    /**
     * picocli's refusal of a command line quotes what it could not match. `--url` is `pools set-admin-url`'s option and
     * `--uri` is `pools add`'s: mixing them up (or forgetting `--uri` before the URI) is a typo, and the refusal prints
     * the whole URL with its password, on stderr and in the -o json error document.
     */
    @Test
    void aRefusedCommandLineNeverQuotesTheSecretItCouldNotMatch() {
        Cli cli = new Cli(Map.of("USER", "test"));
        String secret = "Hunter2Kx9zQ";
        List<List<String>> lines = List.of(
                List.of("pools", "add", "pool-9", "--uri", "mongodb://pool-9:27017/", "--url", "postgres://monitor:" + secret + "@pg-9:5432/postgres"),
                List.of("pools", "show", "pool-1", "mongodb://app:" + secret + "@pool-1:27017/"),
                List.of("pools", "set-admin-url", "pool-1", "postgres://monitor:" + secret + "@pg-1:5432/postgres"),
                List.of("pools", "list", "--uri=mongodb://app:" + secret + "@pool-1:27017/"));
        for (List<String> line : lines) {
            for (String output : new String[]{"table", "json"}) {
                List<String> args = new java.util.ArrayList<>(line);
                args.addAll(List.of("-o", output));
                Cli.Result r = cli.run(args.toArray(String[]::new));
                assertThat(r.exitCode()).as(args + ": " + r).isEqualTo(2);
                assertThat(r.err()).as(args + ": " + r).startsWith("error: ");
                if (output.equals("json")) {
                    assertThat(strictJson(r).get("error").get("category").asText()).isEqualTo("usage");
                }
                assertNotShown(secret, r);
            }
        }
    }

    /**
     * A pool URI whose password holds a '#' (mongodb://app:Hunter2#Kx9zQ@host/) is not seen as holding a password at all:
     * `pools add` takes it without --allow-inline-password, the catalog stores it as typed and `pools add/list/show` print
     * it. With --allow-inline-password it is not moved into a variable either. The driver reads '#' as part of the password
     * (the pool is used with it), so it is an inline password like any other.
     */
    @Test
    void aPoolPasswordWithAHashIsNeverStoredNorPrinted() throws Exception {
        String catalog = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(catalog);
        String hostPort = pools.uri(0).substring("mongodb://".length());
        String secret = "Kx9zQ-hash-pw";
        String uri = "mongodb://app:Hunter2#" + secret + "@" + hostPort + "/";

        Cli.Result refused = cli.run("pools", "add", "pool-1", "--uri", uri, "-o", "json");
        assertNotShown(secret, refused);
        assertThat(refused.exitCode()).as("an inline password is refused unless --allow-inline-password: " + refused).isEqualTo(2);

        // unchecked: the stand-in pool knows no user
        Cli.Result allowed = cli.run("pools", "add", "pool-2", "--uri", uri, "--allow-inline-password", "--allow-unreachable", "-o", "json");
        assertNotShown(secret, allowed);
        assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
        assertNotShown(secret, cli.run("pools", "list"));
        assertNotShown(secret, cli.run("pools", "show", "pool-2", "-o", "json"));
        assertThat(Sentinels.dumpCatalog(catalog)).as("the catalog never stores a password").doesNotContain(secret);
    }

    /**
     * The same with a '?' in the password: the URI is refused (good) but the refusal quotes it whole, since the
     * "redacted" form finds no password to mask.
     */
    @Test
    void aPoolPasswordWithAQuestionMarkIsNotQuotedInItsRefusal() {
        String catalog = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(catalog);
        String hostPort = pools.uri(0).substring("mongodb://".length());
        String secret = "Kx9zQ-qmark-pw";
        Cli.Result add = cli.run("pools", "add", "pool-1", "--uri", "mongodb://app:Hunter2?" + secret + "@" + hostPort + "/", "-o", "json");
        assertThat(add.exitCode()).as(add.toString()).isEqualTo(2);
        assertNotShown(secret, add);
        Cli.Result capture = cli.run("schema", "capture", "--from-uri", "mongodb://app:Hunter2?" + secret + "@" + hostPort + "/",
                "--database", "reference");
        assertThat(capture.exitCode()).as(capture.toString()).isEqualTo(2);
        assertNotShown(secret, capture);
    }

    /**
     * An admin URL whose password starts with digits and then has a '/', '#' or '?' (monitor:2024/Winter@pg-1) parses as
     * host "monitor", port 2024: `pools set-admin-url` accepts it, prints it back whole and stores it in pools — the
     * catalog "never stores a password" — and `pools stats` then connects to a host called monitor.
     */
    @Test
    void anAdminUrlPasswordThatLooksLikeAPortIsRefusedNotStored() throws Exception {
        String catalog = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(catalog);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        for (String typed : new String[]{"postgres://monitor:2024/Winter@pg-1:5432/postgres",
                "postgresql://monitor:2024#Winter@pg-1:5432/postgres", "jdbc:postgresql://monitor:2024?Winter@pg-1:5432/postgres"}) {
            Cli.Result r = cli.run("pools", "set-admin-url", "pool-1", "--url", typed, "-o", "json");
            assertThat(r.out() + r.err()).as(typed + ": " + r).doesNotContain("Winter");
            assertThat(r.exitCode()).as("an inline password is refused: " + typed + ": " + r).isEqualTo(2);
        }
        assertThat(Sentinels.dumpCatalog(catalog)).as("the catalog never stores a password").doesNotContain("Winter");
    }

    /**
     * A catalog URL whose password holds a '/' (postgres://tenantctl:Hunter2/Kx9zQ@db/catalog — as typed, from the
     * environment or the config file) is refused quoting the whole URL: the mask only knows passwords without '/'. With an
     * '@' in it, the part after the '@' is shown.
     */
    @Test
    void aCatalogUrlRefusalNeverQuotesItsPassword() {
        Cli bare = new Cli(Map.of("USER", "test"));
        String[] secrets = {"Kx9zQ-slash-pw", "Kx9zQ-at-pw"};
        String[] urls = {"postgres://tenantctl:Hunter2/" + secrets[0] + "@127.0.0.1:1/catalog",
                "postgresql://tenantctl:Hunter2@" + secrets[1] + "@127.0.0.1:1/catalog"};
        for (int i = 0; i < urls.length; i++) {
            Cli.Result flag = bare.run("orgs", "list", "--catalog", urls[i], "-o", "json");
            assertThat(flag.exitCode()).as(flag.toString()).isIn(2, 3);
            assertNotShown(secrets[i], flag);
            Cli.Result fromEnv = new Cli(Map.of("USER", "test", "TENANTCTL_CATALOG_URL", urls[i])).run("orgs", "list");
            assertThat(fromEnv.exitCode()).as(fromEnv.toString()).isIn(2, 3);
            assertNotShown(secrets[i], fromEnv);
        }
    }

    /**
     * An S3 store URL with credentials in it is refused ("credentials come from the environment") — quoting them, when the
     * secret key holds a '/', as AWS secret keys often do. The same for an S3 endpoint with user info and a file store URL.
     */
    @Test
    void aStoreUrlRefusalNeverQuotesItsSecretKey() {
        String catalog = CliFixture.initialisedCatalog();
        String secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        Cli cli = Cli.withCatalog(catalog);
        Cli.Result s3 = cli.run("backups", "list", "--store", "s3://AKIAIOSFODNN7EXAMPLE:" + secretKey + "@fleet-backups/prod", "-o", "json");
        assertThat(s3.exitCode()).as(s3.toString()).isEqualTo(2);
        assertNotShown("bPxRfiCY", s3);

        Cli.Result file = cli.run("backups", "list", "--store", "file://backup:" + secretKey + "@nas/backups");
        assertThat(file.exitCode()).as(file.toString()).isEqualTo(2);
        assertNotShown("bPxRfiCY", file);

        Map<String, String> env = new HashMap<>(Map.of("TENANTCTL_CATALOG_URL", catalog, "USER", "test",
                "TENANTCTL_S3_ENDPOINT", "http://minio:" + secretKey + "@minio:9000", "TENANTCTL_STORE", "s3://fleet-backups/prod"));
        Cli.Result endpoint = new Cli(env).run("backups", "list");
        assertThat(endpoint.exitCode()).as(endpoint.toString()).isEqualTo(2);
        assertNotShown("bPxRfiCY", endpoint);
    }

    /**
     * A pool URI or a store URL typed without its scheme, or with the scheme mistyped (app:PW@pool-1:27017,
     * mongodb:/app:PW@…, s3:/KEY:SECRET@bucket), is refused quoting all of it: the mask only looks after a "://". Admin URLs
     * were fixed for exactly this (anAdminUrlWithoutItsSchemeIsRefusedWithoutQuotingItsPassword); pool URIs (pools add, schema capture) and store URLs were not.
     */
    @Test
    void aUrlTypedWithoutItsSchemeIsRefusedWithoutQuotingItsSecret() {
        String catalog = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(catalog);
        String secret = "Hunter2Kx9zQ";
        List<List<String>> lines = List.of(
                List.of("pools", "add", "pool-9", "--uri", "app:" + secret + "@pool-9:27017"),
                List.of("pools", "add", "pool-9", "--uri", "mongodb:/app:" + secret + "@pool-9:27017/"),
                List.of("pools", "add", "pool-9", "--uri", "postgres://app:Hunter2?" + secret + "@pool-9:27017/"),
                List.of("schema", "capture", "--from-uri", "app:" + secret + "@reference:27017", "--database", "reference"),
                List.of("backups", "list", "--store", "AKIAIOSFODNN7EXAMPLE:" + secret + "@fleet-backups/prod"),
                List.of("backups", "list", "--store", "s3:/AKIAIOSFODNN7EXAMPLE:" + secret + "@fleet-backups/prod"));
        for (List<String> line : lines) {
            Cli.Result r = cli.run(line.toArray(String[]::new));
            assertThat(r.exitCode()).as(line + ": " + r).isEqualTo(2);
            assertNotShown(secret, r);
        }
    }

    /**
     * A value given for a pool URI that is not a mongodb:// URI at all — another scheme's URL, user:password@host without a
     * scheme, the password itself pasted where the URI goes — was quoted back by the refusal with only a
     * "scheme://user:***@" mask over it: a password holding '/' or a quote, a scheme typed "mongodb//", or a bare
     * password came out whole. The refusal says what is wrong (and names a scheme it can tell) without any of the rest.
     */
    @Test
    void aPoolUriThatIsNotAMongodbUriIsRefusedWithoutQuotingIt(@TempDir Path dir) throws Exception {
        String catalog = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(catalog);
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        String secret = "Kx9zQ-not-mongo";
        List<String> typed = List.of("postgres://admin:" + secret + "@db:5432/x", "admin:" + secret + "@host",
                "mongodb//app:" + secret + "@pool-9:27017/", "app:Hunter2/" + secret + "@pool-9:27017", "app:Hunter2'" + secret + "@pool-9",
                "app:" + secret + "@", secret);
        for (String uri : typed) {
            List<List<String>> lines = List.of(List.of("pools", "set-uri", "pool-1", "--uri", uri),
                    List.of("pools", "add", "pool-9", "--uri", uri), List.of("pools", "add", "pool-9", "--uri", uri, "--dry-run"),
                    List.of("schema", "capture", "--from-uri", uri, "--database", "reference"));
            for (List<String> line : lines) {
                for (String output : new String[]{"table", "json"}) {
                    List<String> args = new java.util.ArrayList<>(line);
                    args.addAll(List.of("-o", output));
                    Cli.Result r = cli.run(args.toArray(String[]::new));
                    assertThat(r.exitCode()).as(args + ": " + r).isEqualTo(2);
                    assertNotShown(secret, r);
                    String message = output.equals("json") ? strictJson(r).get("error").get("message").asText() : r.err();
                    assertThat(message).as("what is wrong and what to do: " + r).contains("must start with mongodb:// or mongodb+srv://");
                    if (uri.startsWith("postgres://")) {
                        assertThat(message).as("the scheme it has is named: " + r).contains("postgres://");
                    }
                }
            }
            Path config = dir.resolve("tenantctl.properties");
            java.nio.file.Files.writeString(config, "uri=" + uri + "\nurl=" + uri + "\nfrom-uri=" + uri + "\n");
            for (List<String> line : List.of(List.of("pools", "set-uri", "pool-1"), List.of("pools", "add", "pool-9"),
                    List.of("pools", "set-admin-url", "pool-1"), List.of("schema", "capture", "--database", "reference"))) {
                List<String> args = new java.util.ArrayList<>(line);
                args.addAll(List.of("--config", config.toString(), "-o", "json"));
                Cli.Result r = cli.run(args.toArray(String[]::new));
                assertThat(r.exitCode()).as(args + ": " + r).isEqualTo(2);
                assertNotShown(secret, r);
            }
        }
        assertThat(Sentinels.dumpCatalog(catalog)).as("nothing was stored").doesNotContain(secret);
    }
}
