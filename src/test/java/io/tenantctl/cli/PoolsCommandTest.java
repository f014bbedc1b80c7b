package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** pools add / list / show / drain / enable as an operator uses them; secrets never shown. */
class PoolsCommandTest {

    private static TestPools pools;

    @BeforeAll
    static void start() {
        pools = new TestPools(1);
    }

    @AfterAll
    static void stop() {
        pools.close();
    }

    private static JsonNode poolsJson(Cli cli) {
        return strictJson(ok(cli, "pools", "list", "-o", "json")).get("pools");
    }

    @Test
    void inlinePasswordIsRefusedAndNothingStored() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        Cli.Result r = cli.run("pools", "add", "pool-1", "--uri", "mongodb://app:Sup3rSecret@ferret-1:27017/");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("inline password").contains("--allow-inline-password");
        assertThat(r.out() + r.err()).doesNotContain("Sup3rSecret");
        assertThat(poolsJson(cli)).isEmpty();
    }

    @Test
    void allowedInlineSecretsAreMovedIntoPlaceholdersAndNeverStored() throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        Cli.Result add = cli.run("pools", "add", "pool-1", "--uri",
                "mongodb://app:Sup3rSecret@ferret-1:27017/?authSource=admin&tlsCertificateKeyFilePassword=K3yFilePw",
                "--allow-inline-password", "--capacity", "10", "--allow-unreachable", "-o", "json");
        assertThat(add.exitCode()).as(add.toString()).isZero();
        assertThat(add.out() + add.err()).doesNotContain("Sup3rSecret").doesNotContain("K3yFilePw");
        JsonNode added = strictJson(add);
        assertThat(added.get("uri").asText()).isEqualTo("mongodb://app:${TENANTCTL_POOL_POOL_1_PASSWORD}@ferret-1:27017/"
                + "?authSource=admin&tlsCertificateKeyFilePassword=${TENANTCTL_POOL_POOL_1_TLSCERTIFICATEKEYFILEPASSWORD}");
        assertThat(added.get("variables_to_set")).hasSize(2);
        assertThat(add.err()).contains("TENANTCTL_POOL_POOL_1_PASSWORD").contains("were not stored");

        for (String[] args : new String[][]{{"pools", "list"}, {"pools", "list", "-o", "json"}, {"pools", "show", "pool-1"},
                {"pools", "drain", "pool-1"}, {"pools", "enable", "pool-1", "-o", "json"}, {"pools", "drain", "pool-1", "--dry-run"}}) {
            Cli.Result r = ok(cli, args);
            assertThat(r.out() + r.err()).as(String.join(" ", args)).doesNotContain("Sup3rSecret").contains("pool-1");
        }
        assertThat(storedUri(url, "pool-1")).doesNotContain("Sup3rSecret").doesNotContain("K3yFilePw")
                .contains("${TENANTCTL_POOL_POOL_1_PASSWORD}");
    }

    @Test
    void secretQueryOptionsAreRefusedLikePasswords() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        for (String uri : new String[]{
                "mongodb://ferret-1:27017/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:IQoJb3JpZ2luX2Vj",
                "mongodb://ferret-1:27017/?tlsCertificateKeyFilePassword=hunter2",
                "mongodb://ferret-1:27017/?password=hunter2",
                "mongodb://ferret-1:27017/?appName=x&someToken=hunter2",
                "mongodb://ferret-1:27017/?x=AKIAIOSFODNN7EXAMPLE"}) {
            Cli.Result r = cli.run("pools", "add", "pool-1", "--uri", uri, "--dry-run");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(uri).contains("${VAR}").contains("--allow-inline-password")
                    .doesNotContain("hunter2").doesNotContain("IQoJb3JpZ2luX2Vj").doesNotContain("AKIAIOSFODNN7EXAMPLE");
        }
        // placeholders are fine, and so are options that are not secrets
        ok(cli, "pools", "add", "pool-1", "--uri", "mongodb://ferret-1:27017/?authMechanism=MONGODB-AWS"
                + "&authMechanismProperties=AWS_SESSION_TOKEN:${AWS_SESSION_TOKEN}&replicaSet=rs0&appName=tenantctl", "--allow-unreachable");
        assertThat(poolsJson(cli)).hasSize(1);
    }

    /**
     * A variable whose value makes the URI unreadable (a session token with a comma: the driver splits
     * authMechanismProperties on commas after decoding) is named, and the driver's message, which quotes the piece it
     * could not read, is not shown: it printed "'SENTINELB_SECRET' is not a key value pair".
     */
    @Test
    void aVariableThatBreaksTheUriIsNamedWithoutQuotingItsValue() {
        String url = CliFixture.initialisedCatalog();
        Cli cli = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", url, "TOK6", "SENTINELA_SECRET,SENTINELB_SECRET"));
        String uri = "mongodb://127.0.0.1:1/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:${TOK6}";
        ok(cli, "pools", "add", "pool-6", "--uri", uri, "--capacity", "0", "--allow-unreachable");

        Cli.Result stats = cli.run("pools", "stats", "pool-6", "-o", "json");
        Cli.Result capture = cli.run("-v", "schema", "capture", "--from-uri", uri, "--database", "x", "-o", "json");
        for (Cli.Result r : List.of(stats, capture)) {
            assertThat(r.out() + r.err()).as(r.toString()).doesNotContain("SENTINEL").contains("${TOK6}").contains("check that variable's value");
        }
        assertThat(stats.exitCode()).as(stats.toString()).isZero();
        assertThat(capture.exitCode()).as(capture.toString()).isEqualTo(3);
        strictJson(capture);
    }

    @Test
    void aStoredUriHoldingSecretsIsRedactedWarnedAboutAndCanBeFixed() throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        ok(cli, "pools", "add", "pool-1", "--uri", "mongodb://ferret-1:27017/", "--allow-unreachable");
        // a row written before tenantctl refused secrets in query options
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("update pools set uri = 'mongodb://app:Old5ecret@ferret-1:27017/?tlsCertificateKeyFilePassword=0ldKeyPw'"
                    + " where pool_id = 'pool-1'");
        }
        Cli.Result list = ok(cli, "pools", "list", "-o", "json");
        assertThat(list.out() + list.err()).doesNotContain("Old5ecret").doesNotContain("0ldKeyPw");
        assertThat(strictJson(list).get("pools").get(0).get("uri").asText())
                .isEqualTo("mongodb://app:***@ferret-1:27017/?tlsCertificateKeyFilePassword=***");
        assertThat(list.err()).contains("warning: pool pool-1 stores secrets in its URI (password, tlsCertificateKeyFilePassword)")
                .contains("tenantctl pools set-uri pool-1");

        Cli.Result dry = ok(cli, "pools", "set-uri", "pool-1", "--uri", "mongodb://app:${POOL1_PW}@ferret-1:27017/", "--dry-run",
                "--allow-unreachable");
        assertThat(dry.out()).contains("dry run");
        assertThat(storedUri(url, "pool-1")).contains("Old5ecret");
        ok(cli, "pools", "set-uri", "pool-1", "--uri", "mongodb://app:${POOL1_PW}@ferret-1:27017/", "--allow-unreachable");
        assertThat(storedUri(url, "pool-1")).isEqualTo("mongodb://app:${POOL1_PW}@ferret-1:27017/");
        assertThat(ok(cli, "pools", "list").err()).doesNotContain("warning");
    }

    /**
     * set-capacity shows the pool as add and list do, so a URI that stores a secret is warned about there too: with -o json
     * (and with --dry-run) it said nothing, the only pools command showing that URI without the warning.
     */
    @Test
    void setCapacityOfAPoolWhoseUriStoresASecretWarnsAsListDoes() throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        ok(cli, "pools", "add", "pool-1", "--uri", "mongodb://ferret-1:27017/", "--allow-unreachable");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("update pools set uri = 'mongodb://app:Old5ecret@ferret-1:27017/' where pool_id = 'pool-1'");
        }
        String warning = "warning: pool pool-1 stores a secret in its URI (password); it is never shown, but move it out of the catalog";
        assertThat(ok(cli, "pools", "list").err()).contains(warning);

        for (String[] args : new String[][]{{"pools", "set-capacity", "pool-1", "--capacity", "20", "-o", "json"},
                {"pools", "set-capacity", "pool-1", "--capacity", "30", "--dry-run", "-o", "json"},
                {"pools", "set-capacity", "pool-1", "--capacity", "30", "--dry-run"},
                {"pools", "set-capacity", "pool-1", "--capacity", "25"}}) {
            Cli.Result r = ok(cli, args);
            String what = String.join(" ", args);
            assertThat(r.err()).as(what).contains(warning).contains("tenantctl pools set-uri pool-1");
            assertThat(r.err().split(java.util.regex.Pattern.quote(warning), -1)).as(what + ": warned once").hasSize(2);
            assertThat(r.out() + r.err()).as(what).doesNotContain("Old5ecret");
            if (what.endsWith("json")) {
                JsonNode doc = strictJson(r);
                assertThat(doc.get("uri").asText()).as(what).isEqualTo("mongodb://app:***@ferret-1:27017/");
                assertThat(doc.get("capacity").asInt()).as(what).isEqualTo(what.contains("dry-run") ? 30 : 20);
            }
        }
        assertThat(strictJson(ok(cli, "pools", "show", "pool-1", "-o", "json")).get("capacity").asInt()).isEqualTo(25);
    }

    /**
     * pools stats showed a pool whose stored URI holds a secret with no word of it, where list and show warn: it now
     * warns the same way (stderr, once per pool; -o json still one document).
     */
    @Test
    void statsOfAPoolWhoseUriStoresASecretWarnsAsListDoes() throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("insert into pools (pool_id, uri, capacity, priority) values ('pool-1', 'mongodb://app:Old5ecret@127.0.0.1:1/', 0, 1), "
                    + "('pool-2', 'mongodb://127.0.0.1:1/', 0, 1)");
        }
        String warning = "warning: pool pool-1 stores a secret in its URI (password); it is never shown, but move it out of the catalog";
        for (String[] args : new String[][]{{"pools", "stats"}, {"pools", "stats", "-o", "json"}, {"pools", "stats", "pool-1", "-o", "json"}}) {
            Cli.Result r = ok(cli, args);
            String what = String.join(" ", args);
            assertThat(r.err()).as(what).contains(warning).contains("tenantctl pools set-uri pool-1").doesNotContain("pool pool-2 stores");
            assertThat(r.err().split(java.util.regex.Pattern.quote(warning), -1)).as(what + ": warned once").hasSize(2);
            assertThat(r.out() + r.err()).as(what).doesNotContain("Old5ecret");
            if (what.endsWith("json")) {
                strictJson(r);
            }
        }
    }

    /**
     * A pool URI whose numbers the driver reads but its client refuses (maxPoolSize=-1, minPoolSize above maxPoolSize,
     * maxConnecting=0) was stored by pools add and, on the first command that connected, failed as an unexpected error
     * (exit 1, 'state should be: maxSize >= 0'); one the driver cannot read at all (connectTimeoutMS=abc) was already
     * refused. Now all are refused by pools add (and its --dry-run), exit 2, naming the option; one stored earlier is
     * named by verify as a URI to fix, never as a pool that does not answer.
     */
    @Test
    void aPoolUriWithANumberTheDriverRefusesIsRefusedWhenAddedAndNamedWhenStored() throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        String[][] cases = {{"connectTimeoutMS=abc", "connectTimeoutMS"}, {"maxPoolSize=-1", "maxPoolSize"},
                {"minPoolSize=10&maxPoolSize=5", "minPoolSize"}, {"maxConnecting=0", "maxConnecting"}};
        for (String[] c : cases) {
            String uri = "mongodb://app:${PW}@127.0.0.1:1/?" + c[0];
            for (String[] args : new String[][]{{"pools", "add", "pool-9", "--uri", uri}, {"pools", "add", "pool-9", "--uri", uri, "--dry-run"},
                    {"pools", "add", "pool-9", "--uri", uri, "-o", "json"}}) {
                Cli.Result r = cli.run(args);
                String what = String.join(" ", args);
                assertThat(r.exitCode()).as(what + ": " + r).isEqualTo(2);
                assertThat(r.err().strip().lines().count()).as(what + ": " + r).isEqualTo(1);
                assertThat(r.out() + r.err()).as(what).contains("is not a MongoDB connection string").contains(c[1])
                        .doesNotContain("state should be");
                if (what.endsWith("json")) {
                    strictJson(r);
                }
            }
        }
        assertThat(poolsJson(cli)).isEmpty();

        ok(cli, "pools", "add", "pool-1", "--uri", "mongodb://127.0.0.1:1/", "--allow-unreachable");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("update pools set uri = 'mongodb://127.0.0.1:1/?maxPoolSize=-1' where pool_id = 'pool-1'");
        }
        Cli.Result verify = cli.run("verify", "-o", "json");
        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(4);
        JsonNode finding = strictJson(verify).get("findings").get(0);
        assertThat(finding.get("detail").asText()).contains("its option maxPoolSize").doesNotContain("is unreachable");
        assertThat(finding.get("fix_note").asText()).contains("tenantctl pools set-uri pool-1").doesNotContain("network");
    }

    /**
     * Found on call: a row whose URI is not a mongodb:// one (an http:// pasted by hand, a 'mongodb:/' missing a slash,
     * stored by SQL or an older tenantctl) had its password printed as stored by pools list (table and JSON), show,
     * stats (its line and its error) and drain: the masking only knew mongodb:// URIs. It is masked as any URI's is.
     */
    @Test
    void aStoredUriThatIsNotAMongodbOneNeverShowsItsPassword() throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("insert into pools (pool_id, uri, capacity, priority) values ('pool-h', 'http://app:Zx8secretQ@ferret-1:27017/', 5, 1), "
                    + "('pool-s', 'mongodb:/app:Zx8secretQ@ferret-2:27017/', 5, 1)");
        }
        for (String[] args : new String[][]{{"pools", "list"}, {"pools", "list", "-o", "json"}, {"pools", "show", "pool-h"},
                {"pools", "show", "pool-s", "-o", "json"}, {"pools", "stats"}, {"pools", "stats", "-o", "json"}, {"pools", "drain", "pool-h"},
                {"pools", "drain", "pool-s", "-o", "json"}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out() + r.err()).as(String.join(" ", args)).contains("pool-").doesNotContain("Zx8secretQ");
        }
    }

    /**
     * Such a URI is masked, but nothing told the operator that tenantctl cannot connect with it nor how to replace it:
     * list, show and stats now warn naming the set-uri that does, which replaces it.
     */
    @Test
    void aStoredUriThatIsNotAMongodbOneNamesTheSetUriThatReplacesIt() throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("insert into pools (pool_id, uri, capacity, priority) values ('pool-h', 'http://app:Zx8secretQ@127.0.0.1:1/', 0, 1), "
                    + "('pool-s', 'mongodb:/app:Zx8secretQ@127.0.0.1:1/', 0, 1)");
        }
        for (String[] args : new String[][]{{"pools", "list"}, {"pools", "list", "-o", "json"}, {"pools", "show", "pool-h"},
                {"pools", "show", "pool-s", "-o", "json"}, {"pools", "stats"}, {"pools", "stats", "pool-h", "-o", "json"}}) {
            Cli.Result r = ok(cli, args);
            String what = String.join(" ", args);
            for (String pool : new String[]{"pool-h", "pool-s"}) {
                if (args.length > 2 && args[2].startsWith("pool-") && !args[2].equals(pool)) {
                    continue;
                }
                assertThat(r.err()).as(what).contains("warning: pool " + pool + "'s stored URI is not a mongodb:// URI")
                        .contains("tenantctl pools set-uri " + pool + " --uri ");
            }
            assertThat(r.out() + r.err()).as(what).doesNotContain("Zx8secretQ");
            if (what.endsWith("json")) {
                strictJson(r);
            }
        }
        ok(cli, "pools", "set-uri", "pool-h", "--uri", "mongodb://127.0.0.1:1/", "--allow-unreachable");
        assertThat(ok(cli, "pools", "list").err()).doesNotContain("pool pool-h's").contains("pool pool-s's");
    }

    private static String storedUri(String url, String poolId) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select uri from pools where pool_id = '" + poolId + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    /**
     * A second 'pools add' of a name taken is most often an operator meaning to point the pool at another server: the
     * refusal names the command that does, not only 'pools show'; the pool keeps its URI.
     */
    @Test
    void aSecondAddOfAPoolNamesTheSetUriThatRepointsIt() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0));
        for (String[] args : List.of(new String[] {"pools", "add", "pool-1", "--uri", "mongodb://ferret-9.internal:27017", "--allow-unreachable"},
                new String[] {"pools", "add", "pool-1", "--uri", pools.uri(0) + "/", "--dry-run"})) {
            Cli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip()).as(r.toString()).isEqualTo("error: pool 'pool-1' already exists: 'tenantctl pools show pool-1' shows it; "
                    + "to point it at another server, 'tenantctl pools set-uri pool-1 --uri URI'");
        }
        assertThat(poolsJson(cli).get(0).get("uri").asText()).isEqualTo(pools.uri(0));
    }

    @Test
    void placeholderUriIsAcceptedAndShownAsIs() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        String uri = "mongodb://app:${POOL_PW}@ferret-1:27017/";
        ok(cli, "pools", "add", "pool-1", "--uri", uri, "--capacity", "7", "--priority", "3", "--allow-unreachable");
        JsonNode p = strictJson(ok(cli, "pools", "show", "pool-1", "-o", "json"));
        assertThat(p.get("uri").asText()).isEqualTo(uri);
        assertThat(p.get("pool_id").asText()).isEqualTo("pool-1");
        assertThat(p.get("capacity").asInt()).isEqualTo(7);
        assertThat(p.get("priority").asInt()).isEqualTo(3);
        assertThat(p.get("status").asText()).isEqualTo("active");
        assertThat(p.get("orgs").asInt()).isZero();
        assertThat(ok(cli, "pools", "list").out()).contains(uri);
    }

    /**
     * One server registered as two pools (a URI pasted twice) counts its capacity twice: said when it is done, by add and
     * set-uri, not only by the next verify (pools_share_a_server).
     */
    @Test
    void aPoolNamingAnotherPoolsServerIsWarnedAboutWhenAddedOrRepointed() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        String server = java.net.URI.create(pools.uri(0)).getAuthority();
        ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0));
        Cli.Result elsewhere = ok(cli, "pools", "add", "pool-2", "--uri", "mongodb://ferret-2.internal:27017", "--allow-unreachable");
        assertThat(elsewhere.err()).as(elsewhere.toString()).doesNotContain("names the server");

        Cli.Result twice = ok(cli, "pools", "add", "pool-3", "--uri", pools.uri(0) + "/", "-o", "json");
        assertThat(twice.err()).as(twice.toString()).contains("warning: pool pool-3 names the server of pool pool-1 (" + server
                + "): each counts its capacity apart").contains("tenantctl pools set-uri pool-3 --uri URI");
        assertThat(strictJson(twice).at("/shares_server_with/pool-1/0").asText()).isEqualTo(server);
        assertThat(poolsJson(cli)).as("added all the same: verify calls it informational").hasSize(3);

        Cli.Result repointed = ok(cli, "pools", "set-uri", "pool-2", "--uri", pools.uri(0));
        assertThat(repointed.err()).as(repointed.toString()).contains("pool pool-2 names the server of pool pool-1 (" + server + ")")
                .contains("pool pool-2 names the server of pool pool-3 (" + server + ")");
    }

    /**
     * Found by the on-call audit: a URI carrying a file's line ending ({@code --uri "$(cat uri.txt)"} of a CRLF file, a
     * Kubernetes secret's trailing newline) was stored as given, "mongodb://…/?authSource=admin\r", the driver taking the
     * control character into the database or option it ends; the pool then failed at connect time far from the paste.
     * A URI holding a control character is refused (exit 2, nothing stored), by pools add and set-uri alike.
     */
    @Test
    void aUriHoldingALineEndingIsRefused() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0));
        for (String uri : List.of(pools.uri(0) + "/?authSource=admin\r", pools.uri(0) + "/\n", "mongodb://app:${POOL9_PASSWORD}@h:27017/x\tdb")) {
            Cli.Result added = cli.run("pools", "add", "pool-2", "--uri", uri, "-o", "json");
            assertThat(added.exitCode()).as("%s", added).isEqualTo(2);
            assertThat(strictJson(added).get("error").get("message").asText()).as("%s", added).contains("control character");
            Cli.Result repointed = cli.run("pools", "set-uri", "pool-1", "--uri", uri);
            assertThat(repointed.exitCode()).as("%s", repointed).isEqualTo(2);
            assertThat(repointed.err()).as("%s", repointed).contains("control character").doesNotContain("\r").doesNotContain("\t");
        }
        assertThat(poolsJson(cli)).hasSize(1);
        assertThat(poolsJson(cli).get(0).get("uri").asText()).isEqualTo(pools.uri(0));
    }

    /**
     * Found at a 3 a.m. audit: pools add of a pool that does not answer (a mistyped host or port) was added without a word;
     * the operator found out only when provision passed over it, or failed an org pinned to it. It is refused now, its
     * --dry-run too (exit 3, one line naming the pool, what to check and the flag for a pool not up yet), nothing added;
     * with --allow-unreachable it is added unchecked.
     */
    @Test
    void aPoolThatDoesNotAnswerIsNotAddedUnlessAllowed() {
        try (TestPools dead = new TestPools(1)) {
            dead.kill(0);
            Cli cli = quickToGiveUp();
            refusedAsUnreachable(cli, List.of("pools", "add", "pool-2", "--uri", dead.uri(0)), "pool pool-2 (" + dead.uri(0),
                    "pool pool-2 was not added", "add it with --allow-unreachable");
            assertThat(poolsJson(cli)).as("nothing added: provision would pass over it without a word").isEmpty();

            JsonNode added = strictJson(ok(cli, "pools", "add", "pool-2", "--uri", dead.uri(0), "--allow-unreachable", "-o", "json"));
            assertThat(added.get("pool_id").asText()).isEqualTo("pool-2");
            assertThat(poolsJson(cli)).hasSize(1);
        }
    }

    /**
     * pools set-uri of a pool with no orgs to a server that does not answer (a mistyped host or port) was taken without a
     * word, found out only when provision placed orgs there. It pings the new URI first now, as pools add does, its
     * --dry-run too (exit 3, one line naming the pool and the fix), the URI unchanged; --allow-unreachable sets it unchecked.
     */
    @Test
    void setUriToAServerThatDoesNotAnswerIsRefusedUnlessAllowed() {
        try (TestPools dead = new TestPools(1)) {
            dead.kill(0);
            Cli cli = quickToGiveUp();
            ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0));
            refusedAsUnreachable(cli, List.of("pools", "set-uri", "pool-1", "--uri", dead.uri(0)), "pool pool-1 (" + dead.uri(0),
                    "the URI of pool pool-1 is unchanged", "set it with --allow-unreachable");
            assertThat(poolsJson(cli).get(0).get("uri").asText()).as("provision would place orgs on a server that does not answer")
                    .isEqualTo(pools.uri(0));

            ok(cli, "pools", "set-uri", "pool-1", "--uri", dead.uri(0), "--allow-unreachable");
            assertThat(poolsJson(cli).get(0).get("uri").asText()).isEqualTo(dead.uri(0));
        }
    }

    /** A CLI on a fresh catalog that gives a pool that does not answer 300 ms. */
    private static Cli quickToGiveUp() {
        return new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", CliFixture.initialisedCatalog(),
                io.tenantctl.pool.PoolClients.CONNECT_TIMEOUT_ENV, "300"));
    }

    /** {@code command}, and its --dry-run -o json, refused: exit 3, one line saying what to check and each of {@code says}. */
    private static void refusedAsUnreachable(Cli cli, List<String> command, String... says) {
        for (List<String> args : List.of(command, List.of(CliFixture.args(command, List.of("--dry-run", "-o", "json"))))) {
            Cli.Result r = cli.run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(args + ": " + r).isEqualTo(3);
            String line = args.contains("json") ? strictJson(r).get("error").get("message").asText() : r.err().strip();
            assertThat(line.lines().count()).as(args + ": " + r).isEqualTo(1);
            assertThat(line).as(args.toString()).contains(says).contains("check the URI's host and port");
        }
    }

    @Test
    void badNamesCapacitiesAndDuplicatesAreUsage() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0));
        Cli.Result dup = cli.run("pools", "add", "pool-1", "--uri", pools.uri(0));
        assertThat(dup.exitCode()).as(dup.toString()).isEqualTo(2);
        assertThat(dup.err()).contains("pool-1").contains("already exists");
        Cli.Result badName = cli.run("pools", "add", "Pool One", "--uri", pools.uri(0));
        assertThat(badName.exitCode()).as(badName.toString()).isEqualTo(2);
        assertThat(badName.err()).contains("Pool One");
        Cli.Result negative = cli.run("pools", "add", "pool-2", "--uri", pools.uri(0), "--capacity", "-1");
        assertThat(negative.exitCode()).as(negative.toString()).isEqualTo(2);
        Cli.Result notMongo = cli.run("pools", "add", "pool-3", "--uri", "http://ferret-3");
        assertThat(notMongo.exitCode()).as(notMongo.toString()).isEqualTo(2);
        Cli.Result unknown = cli.run("pools", "show", "pool-9");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);
        assertThat(unknown.err()).contains("pool-9");
        assertThat(poolsJson(cli)).hasSize(1);
    }

    @Test
    void drainStopsPlacementAndEnableResumesIt(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        Path schemaFile = CliFixture.smallSchema(dir);
        String schema = schemaFile.toString();
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        ok(cli, "provision", "before", "--schema", schema);

        JsonNode drained = strictJson(ok(cli, "pools", "drain", "pool-1", "-o", "json"));
        assertThat(drained.get("status").asText()).isEqualTo("draining");
        Cli.Result refused = cli.run("provision", "while-drained", "--schema", schema);
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("while-drained").contains("no capacity");
        assertThat(cli.run("orgs", "show", "while-drained").exitCode()).isEqualTo(2);
        Cli.Result pinned = cli.run("provision", "pinned", "--pool", "pool-1", "--schema", schema);
        assertThat(pinned.exitCode()).as(pinned.toString()).isEqualTo(1);
        assertThat(pinned.err()).contains("no capacity").contains("draining");
        // the orgs already there stay
        JsonNode before = strictJson(ok(cli, "orgs", "show", "before", "-o", "json"));
        assertThat(before.get("status").asText()).isEqualTo("active");
        assertThat(before.get("pool_id").asText()).isEqualTo("pool-1");

        JsonNode enabled = strictJson(ok(cli, "pools", "enable", "pool-1", "-o", "json"));
        assertThat(enabled.get("status").asText()).isEqualTo("active");
        Cli.Result placed = ok(cli, "provision", "while-drained", "--schema", schema, "-o", "json");
        assertThat(strictJson(placed).get("provisioned").asInt()).isEqualTo(1);
        assertThat(strictJson(ok(cli, "pools", "show", "pool-1", "-o", "json")).get("orgs").asInt()).isEqualTo(2);
        // end state: the org placed before the drain and the one placed after it have their whole schema; the one
        // pinned to the draining pool was refused and has no row
        CliFixture.assertClean(url, schemaFile, List.of("before", "while-drained"));
        assertThat(cli.run("orgs", "show", "pinned").exitCode()).isEqualTo(2);
    }

    /**
     * Found at a 3 a.m. audit: draining the one pool with room (or lowering its capacity to its orgs) printed the pool and
     * nothing else, and from then on every provision (every sign-up) failed 'no capacity' until someone noticed.
     */
    @Test
    void drainingOrFillingTheLastPoolWithRoomSaysEveryProvisionWillFail(@TempDir Path dir) {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        CliFixture.addPool(cli, "pool-2", pools.uri(0), 0, 2);
        String fails = "fail ('no capacity') until a pool has room: 'tenantctl pools enable POOL', 'tenantctl pools add NAME --uri URI' "
                + "or 'tenantctl pools set-capacity POOL --capacity N'";

        Cli.Result dry = ok(cli, "pools", "drain", "pool-1", "--dry-run");
        assertThat(dry.err()).as(dry.toString()).contains("warning: once pool pool-1 takes no new orgs, no active pool would have room "
                + "for one: every provision would " + fails);
        Cli.Result drained = ok(cli, "pools", "drain", "pool-1", "-o", "json");
        assertThat(strictJson(drained).get("status").asText()).isEqualTo("draining");
        assertThat(drained.err()).as(drained.toString()).contains("warning: pool pool-1 takes no new orgs and no other active pool has room "
                + "for one: every provision will " + fails);
        Cli.Result refused = cli.run("provision", "acme", "--schema", CliFixture.smallSchema(dir).toString());
        assertThat(refused.exitCode()).as("what the warning said: %s", refused).isEqualTo(1);
        assertThat(refused.err()).contains("no capacity");

        ok(cli, "pools", "enable", "pool-1");
        assertThat(ok(cli, "pools", "set-capacity", "pool-2", "--capacity", "5").err()).doesNotContain("no capacity");
        Cli.Result roomElsewhere = ok(cli, "pools", "drain", "pool-1");
        assertThat(roomElsewhere.err()).as("pool-2 has room: %s", roomElsewhere).doesNotContain("no capacity");
        Cli.Result filled = ok(cli, "pools", "set-capacity", "pool-2", "--capacity", "0");
        assertThat(filled.err()).as(filled.toString()).contains("warning: pool pool-2 takes no new orgs and no other active pool has room "
                + "for one: every provision will " + fails);
    }

    @Test
    void dryRunChangesNothing(@TempDir Path dir) {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        Cli.Result addDry = ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--dry-run");
        assertThat(addDry.out()).contains("dry run").contains("pool-1");
        assertThat(poolsJson(cli)).isEmpty();

        Cli.Result secretDry = cli.run("pools", "add", "pool-1", "--uri", "mongodb://app:Sup3rSecret@h:1", "--dry-run");
        assertThat(secretDry.exitCode()).as("--dry-run still validates").isEqualTo(2);
        assertThat(secretDry.out() + secretDry.err()).doesNotContain("Sup3rSecret");

        CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
        Cli.Result drainDry = ok(cli, "pools", "drain", "pool-1", "--dry-run");
        assertThat(drainDry.out()).contains("dry run").contains("draining");
        assertThat(poolsJson(cli).get(0).get("status").asText()).isEqualTo("active");
        JsonNode drainPlan = strictJson(ok(cli, "pools", "drain", "pool-1", "--dry-run", "-o", "json"));
        assertThat(drainPlan.get("dry_run").asBoolean()).isTrue();
        assertThat(drainPlan.get("would_become").asText()).isEqualTo("draining");
        assertThat(poolsJson(cli).get(0).get("status").asText()).isEqualTo("active");

        ok(cli, "pools", "drain", "pool-1");
        ok(cli, "pools", "enable", "pool-1", "--dry-run");
        assertThat(poolsJson(cli).get(0).get("status").asText()).isEqualTo("draining");
        ok(cli, "pools", "enable", "pool-1");

        Cli.Result provisionDry = ok(cli, "provision", "dry-org", "--schema", CliFixture.smallSchema(dir).toString(), "--dry-run");
        assertThat(provisionDry.out()).contains("dry-org").contains("pool-1").contains("dry run");
        assertThat(cli.run("orgs", "show", "dry-org").exitCode()).isEqualTo(2);
        assertThat(strictJson(ok(cli, "runs", "list", "-o", "json")).get("runs")).isEmpty();
        assertThat(poolsJson(cli).get(0).get("orgs").asInt()).isZero();
    }
}
