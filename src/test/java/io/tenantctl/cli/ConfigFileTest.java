package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** --config FILE: every option's default can come from it, and a config file that was asked for must exist. */
class ConfigFileTest {

    @Test
    void optionsAndTheCatalogComeFromTheConfigFile(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        try (TestPools pools = new TestPools(1)) {
            Path config = writeConfig(dir,
                    "catalog=" + url,
                    "tenantctl.provision.tier=growth",
                    "schema=" + CliFixture.smallSchema(dir),
                    "output=json",
                    "store=" + dir.resolve("store").toUri());
            Cli cli = new Cli(Map.of("USER", "test"));
            ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--config", config.toString());
            JsonNode provisioned = strictJson(ok(cli, "provision", "cfg-1", "--config", config.toString()));
            assertThat(provisioned.get("counts").get("provisioned").asInt()).isEqualTo(1);
            JsonNode org = strictJson(ok(cli, "orgs", "show", "cfg-1", "--config", config.toString()));
            assertThat(org.get("tier").asText()).isEqualTo("growth");
            // flags still win over the file
            assertThat(ok(cli, "orgs", "show", "cfg-1", "--config", config.toString(), "-o", "table").out()).contains("tier:");
        }
    }

    /**
     * A key no option reads was ignored without a word: {@code per_pool=1}, meant to spare the pools, left provision at
     * its default of 4 a pool. It is refused (exit 2, nothing done) naming the file and the key, with the spelling meant;
     * a line that is not spelt like an option (a pasted secret) is counted but never quoted.
     */
    @Test
    void aKeyNoOptionReadsIsRefusedBeforeAnythingIsDone(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        try (TestPools pools = new TestPools(1)) {
            Cli cli = new Cli(Map.of("USER", "test"));
            ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--catalog", url);
            Path config = writeConfig(dir, "catalog=" + url, "schema=" + CliFixture.smallSchema(dir), "per_pool=1",
                    "Hunter2Kx9zQ", "AWS_REGION=eu-west-1", "tenantctl.provision.tier=growth");
            for (String output : new String[]{"table", "json"}) {
                Cli.Result r = cli.run("provision", "cfg-1", "--config", config.toString(), "-o", output);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
                assertThat(r.err()).contains(config.toString()).contains("2 keys no option reads").contains("per_pool")
                        .contains("did you mean per-pool?").doesNotContain("Hunter2").doesNotContain("AWS_REGION");
                if (output.equals("json")) {
                    assertThat(strictJson(r).get("error").get("category").asText()).isEqualTo("usage");
                }
            }
            assertThat(ok(cli, "orgs", "list", "--catalog", url, "-o", "json").out()).as("nothing provisioned").doesNotContain("cfg-1");

            // keys of options the file never gives (found by probing: accepted, and they did nothing)
            for (String key : new String[]{"help=true", "version=true", "config=/etc/other.properties"}) {
                writeConfig(dir, "catalog=" + url, key);
                Cli.Result r = cli.run("orgs", "list", "--config", config.toString());
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.err()).contains("a key no option reads: " + key.substring(0, key.indexOf('=')));
            }

            writeConfig(dir, "catalog=" + url, "schema=" + CliFixture.smallSchema(dir), "per-pool=1",
                    "AWS_REGION=eu-west-1", "tenantctl.provision.tier=growth");
            ok(cli, "provision", "cfg-1", "--config", config.toString());
            assertThat(ok(cli, "orgs", "show", "cfg-1", "--config", config.toString()).out()).contains("growth");
        }
    }

    /**
     * picocli's provider filled a forgotten positional argument from the key spelt like its label: a line ORG=acme (an
     * environment variable, to the README) made 'orgs suspend' with no argument suspend acme, and org=acme made a bare
     * 'restore' restore it. What a command acts on is typed: an argument left out is missing, and a key naming a target
     * is refused saying why.
     */
    @Test
    void whatACommandActsOnIsNeverTakenFromTheConfigFile(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        try (TestPools pools = new TestPools(1)) {
            Cli cli = new Cli(Map.of("USER", "test"));
            ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--catalog", url);
            ok(cli, "provision", "acme", "--schema", CliFixture.smallSchema(dir).toString(), "--catalog", url);
            Path config = writeConfig(dir, "catalog=" + url, "ORG=acme", "NAME=pool-1", "RUN_ID=x");

            for (String[] forgot : new String[][]{{"orgs", "suspend"}, {"orgs", "delete", "--no-backup"}, {"pools", "drain"}}) {
                List<String> args = new java.util.ArrayList<>(List.of(forgot));
                args.addAll(List.of("--config", config.toString()));
                Cli.Result r = cli.run(args.toArray(String[]::new));
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.err()).as(r.toString()).contains("Missing required parameter");
            }
            JsonNode org = strictJson(ok(cli, "orgs", "show", "acme", "--config", config.toString(), "-o", "json"));
            assertThat(org.get("status").asText()).as("untouched").isEqualTo("active");
            assertThat(ok(cli, "pools", "show", "pool-1", "--config", config.toString()).out()).contains("active");

            writeConfig(dir, "catalog=" + url, "org=acme");
            String store = dir.resolve("store").toUri().toString();
            Cli.Result bare = cli.run("restore", "--config", config.toString(), "--store", store);
            assertThat(bare.exitCode()).as(bare.toString()).isEqualTo(2);
            assertThat(bare.err()).as(bare.toString()).contains("Missing required option: '--org=ORG'");
            Cli.Result typed = cli.run("backup", "--org", "acme", "--config", config.toString(), "--store", store);
            assertThat(typed.exitCode()).as(typed.toString()).isEqualTo(2);
            assertThat(typed.err()).contains("org names what a command acts on: type it on the command line, never in a config file");

            // pool= would have narrowed every migrate-all, backup --due and verify to one pool, in silence
            writeConfig(dir, "catalog=" + url, "pool=pool-1");
            Cli.Result pool = cli.run("verify", "--config", config.toString());
            assertThat(pool.exitCode()).as(pool.toString()).isEqualTo(2);
            assertThat(pool.err()).contains("pool names what a command acts on");

            // found by probing: a required option forgotten was filled from the file (capacity= meant for pools add set
            // the capacity of the pool set-capacity named; database= chose what schema capture captured): never now
            writeConfig(dir, "catalog=" + url, "capacity=7");
            Cli.Result capacity = cli.run("pools", "set-capacity", "pool-1", "--config", config.toString());
            assertThat(capacity.exitCode()).as(capacity.toString()).isEqualTo(2);
            assertThat(capacity.err()).contains("Missing required option: '--capacity=N'");
            for (String[] key : new String[][]{{"database=org_acme", "schema", "capture", "--from-uri", pools.uri(0)},
                    {"uri=" + pools.uri(0), "pools", "set-uri", "pool-1", "--dry-run"}, {"clear=true", "pools", "set-admin-url", "pool-1"}}) {
                writeConfig(dir, "catalog=" + url, key[0]);
                List<String> args = new java.util.ArrayList<>(List.of(key).subList(1, key.length));
                args.addAll(List.of("--config", config.toString()));
                Cli.Result r = cli.run(args.toArray(String[]::new));
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.err()).as(r.toString()).containsAnyOf("Missing required option",
                        key[0].substring(0, key[0].indexOf('=')) + " names what a command acts on");
            }
            assertThat(strictJson(ok(cli, "pools", "show", "pool-1", "--catalog", url, "-o", "json")).get("capacity").asInt()).isNotEqualTo(7);

            // prune=true would make every rollout drop the indexes its manifest does not list; no-backup=true every
            // delete skip its final backup
            // force=true would have moved orgs past every --max-freeze and made every rollout inspect every org
            for (String key : new String[]{"prune=true", "no-backup=true", "tenantctl.restore.drop-existing=true", "force=true"}) {
                writeConfig(dir, "catalog=" + url, key);
                Cli.Result r = cli.run("migrate-all", "--dry-run", "--config", config.toString());
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.err()).as(r.toString()).contains(key.substring(0, key.indexOf('='))
                        + " lets a command drop or overwrite data: type it on the command line each time, never in a config file");
            }
        }
    }

    /**
     * tier= is provision's (and adopt's) tier for new orgs, a setting: it still comes from the file. migrate-all's --tier
     * narrows a rollout: it does not, so the file's tier= no longer rolls a release out to one tier's orgs only.
     */
    @Test
    void tierFromTheConfigFileTiersNewOrgsButNeverNarrowsARollout(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        try (TestPools pools = new TestPools(1)) {
            Cli cli = new Cli(Map.of("USER", "test"));
            ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--catalog", url);
            Path v1 = MigrateAllFixture.write(dir, "v1.json", MigrateAllFixture.V1);
            ok(cli, "provision", "free-1", "--schema", v1.toString(), "--catalog", url);
            Path config = writeConfig(dir, "catalog=" + url, "tier=growth");
            ok(cli, "provision", "growth-1", "--schema", v1.toString(), "--config", config.toString());
            assertThat(strictJson(ok(cli, "orgs", "show", "growth-1", "--config", config.toString(), "-o", "json")).get("tier").asText())
                    .isEqualTo("growth");

            Path v2 = MigrateAllFixture.write(dir, "v2.json", MigrateAllFixture.V2_ADD);
            JsonNode rollout = strictJson(ok(cli, "migrate-all", "--schema", v2.toString(), "--config", config.toString(), "-o", "json"));
            assertThat(rollout.get("migrated").asInt()).as(rollout.toString()).isEqualTo(2);
            CliFixture.assertExactly(url, v2, List.of("free-1", "growth-1"));
            assertThat(strictJson(ok(cli, "orgs", "list", "--config", config.toString(), "-o", "json")).get("orgs")).hasSize(2);
        }
    }

    /**
     * Found by probing: the README invites pools' passwords and a catalog URL with its password into the config file, and
     * one every user of the machine could read (umask 022 makes it 0644) said nothing, where libpq and ssh refuse such a
     * file. The command runs and warns, naming the keys (never a value) and the chmod; -q keeps stderr to errors.
     */
    @Test
    void aConfigFileEveryUserCanReadThatHoldsSecretsIsWarnedOf(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path config = writeConfig(dir, "catalog=" + url, "POOL1_PASSWORD=Snt-CfgPw-7Hq", "AWS_REGION=eu-west-1",
                "AWS_SECRET_ACCESS_KEY=Snt-CfgAws-5Rt",
                "POOL2_URI=mongodb://u:Snt-CfgUriPw-3Zk@127.0.0.1:1/", "POOL3_URI=mongodb://u:${POOL3_PASSWORD}@127.0.0.1:1/");
        Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Cli cli = new Cli(Map.of("USER", "test"));

        Cli.Result r = ok(cli, "orgs", "list", "--config", config.toString());
        assertThat(r.err()).as(r.toString()).contains("warning: config file " + config + " can be read by every user of this machine "
                + "and holds secrets (AWS_SECRET_ACCESS_KEY, POOL1_PASSWORD, POOL2_URI): chmod 600 " + config)
                .doesNotContain("Snt-").doesNotContain("AWS_REGION");
        assertThat(ok(cli, "orgs", "list", "--config", config.toString(), "-q").err()).isEmpty();

        Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(ok(cli, "orgs", "list", "--config", config.toString()).err()).as("its group may read it: a choice").doesNotContain("warning");
        writeConfig(dir, "catalog=" + url, "AWS_REGION=eu-west-1");
        Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(ok(cli, "orgs", "list", "--config", config.toString()).err()).as("no secret in it").doesNotContain("warning");
    }

    @Test
    void metricsFileAndLogFormatComeFromTheConfigFileToo(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        try (TestPools pools = new TestPools(1)) {
            Path metrics = dir.resolve("provision.prom");
            Path config = writeConfig(dir,
                    "catalog=" + url,
                    "schema=" + CliFixture.smallSchema(dir),
                    "log-format=json",
                    "tenantctl.provision.metrics-file=" + metrics);
            Cli cli = new Cli(Map.of("USER", "test"));
            ok(cli, "pools", "add", "pool-1", "--uri", pools.uri(0), "--config", config.toString());
            ok(cli, "provision", "cfg-1", "--config", config.toString());
            assertThat(MetricsFileTest.gauge(MetricsFileTest.parse(metrics), "tenantctl_orgs", "verb", "provision", "outcome", "provisioned"))
                    .isEqualTo(1);
            // a usage error logs as the file says, though the line did not parse
            Cli.Result usage = cli.run("provision", "--no-such-option", "--config", config.toString());
            assertThat(usage.exitCode()).isEqualTo(2);
            assertThat(LogFormatTest.jsonLines(usage.err())).hasSize(1);
        }
    }

    /**
     * Found by probing: UPPER_CASE keys stand for environment variables the environment does not set, but the catalog's
     * and the store's were ignored — and the error then told the operator to set the very variable the file set.
     */
    @Test
    void theCatalogAndStoreVariablesFromTheConfigFileCountAsEveryOtherVariable(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path config = writeConfig(dir, "TENANTCTL_CATALOG_URL=" + url, "TENANTCTL_STORE=" + dir.resolve("store").toUri());
        Cli cli = new Cli(Map.of("USER", "test"));
        assertThat(strictJson(ok(cli, "pools", "list", "--config", config.toString(), "-o", "json"))).isNotNull();
        Cli.Result listed = ok(cli, "backups", "list", "--config", config.toString(), "-o", "json");
        assertThat(strictJson(listed).get("backups")).isEmpty();
        // the real environment still wins over the file
        Cli.Result env = new Cli(Map.of("USER", "test", "TENANTCTL_CATALOG_URL", "jdbc:postgresql://127.0.0.1:1/x"))
                .run("pools", "list", "--config", config.toString());
        assertThat(env.exitCode()).as(env.toString()).isEqualTo(3);
    }

    /**
     * A config file with a key no option reads refuses every command, but '--help' still works — to find the option's
     * name. 'tenantctl help provision' (the help command the refusal's reader types at 3 a.m.) and a bare 'tenantctl',
     * which print the same help, were refused by the key they were run to fix: exit 2, no help.
     */
    @Test
    void theHelpCommandWorksWithAConfigKeyNoOptionReadsAsHelpDoes(@TempDir Path dir) throws Exception {
        Path config = writeConfig(dir, "catalog=postgres://nowhere:1/x", "paralelism=4");
        Cli cli = new Cli(Map.of("USER", "test", "TENANTCTL_CONFIG", config.toString()));
        Cli.Result help = cli.run("help", "provision");
        assertThat(help.exitCode()).as(help.toString()).isZero();
        assertThat(help.out()).contains("Usage: tenantctl provision").contains("--concurrency");
        assertThat(help.err()).isEmpty();
        Cli.Result json = cli.run("help", "provision", "-o", "json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        assertThat(strictJson(json).get("command").asText()).isEqualTo("tenantctl provision");
        Cli.Result bare = cli.run();
        assertThat(bare.exitCode()).as(bare.toString()).isZero();
        assertThat(bare.out()).contains("Usage: tenantctl");
        // a command is still refused, naming the key
        Cli.Result list = cli.run("orgs", "list");
        assertThat(list.exitCode()).as(list.toString()).isEqualTo(2);
        assertThat(list.err()).contains("a key no option reads: paralelism");
    }

    @Test
    void aConfigFileThatDoesNotExistIsAnError(@TempDir Path dir) {
        Cli cli = new Cli(Map.of("USER", "test", "TENANTCTL_CATALOG_URL", "postgres://nowhere:1/x"));
        Cli.Result r = cli.run("orgs", "list", "--config", dir.resolve("typo.properties").toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(strictJson(r).get("error").get("message").asText()).contains("typo.properties").contains("does not exist");
        Cli fromEnv = new Cli(Map.of("USER", "test", "TENANTCTL_CONFIG", dir.resolve("gone.properties").toString()));
        Cli.Result e = fromEnv.run("orgs", "list");
        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.err()).contains("gone.properties").contains("TENANTCTL_CONFIG");
        // the directory the file sits in, given for the file: it exists, so "does not exist" would send one looking for it
        Cli.Result d = cli.run("orgs", "list", "--config", dir.toString());
        assertThat(d.exitCode()).as(d.toString()).isEqualTo(2);
        assertThat(d.err()).contains(dir + " is a directory: name the properties file in it").doesNotContain("does not exist");
    }

    @Test
    void aMissingConfigFileIsReportedOnceWithNoWarningOfPicocliBeforeIt(@TempDir Path dir) {
        Cli cli = new Cli(Map.of("USER", "test", "TENANTCTL_CATALOG_URL", "postgres://nowhere:1/x"));
        // picocli's own properties provider warns on the process's stderr, not on tenantctl's writer: watch both
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream processErr = new java.io.ByteArrayOutputStream();
        Cli.Result r;
        try {
            System.setErr(new java.io.PrintStream(processErr, true, java.nio.charset.StandardCharsets.UTF_8));
            r = cli.run("orgs", "list", "--config", dir.resolve("typo.properties").toString());
        } finally {
            System.setErr(saved);
        }
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1).allMatch(l -> l.startsWith("error: config file "));
        assertThat(processErr.toString(java.nio.charset.StandardCharsets.UTF_8)).as("process stderr").isEmpty();
    }

    @Test
    void outputJsonFromTheConfigFileAlsoAnswersALineThatDoesNotParseInJson(@TempDir Path dir) throws Exception {
        Path config = writeConfig(dir, "output=json");
        Cli cli = new Cli(Map.of("USER", "test", "TENANTCTL_CATALOG_URL", "postgres://nowhere:1/x"));
        Cli.Result usage = cli.run("orgs", "list", "--no-such-option", "--config", config.toString());
        assertThat(usage.exitCode()).as(usage.toString()).isEqualTo(2);
        JsonNode error = strictJson(usage).get("error");
        assertThat(error.get("category").asText()).isEqualTo("usage");
        assertThat(error.get("message").asText()).contains("--no-such-option");
        // the line still wins over the file
        Cli.Result table = cli.run("orgs", "list", "--no-such-option", "--config", config.toString(), "-o", "table");
        assertThat(table.exitCode()).isEqualTo(2);
        assertThat(table.out()).isEmpty();
    }

    @Test
    void aBadValueFromTheConfigFileNamesTheFileNotJustTheOption(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path config = writeConfig(dir, "catalog=" + url, "per-pool=abc");
        Cli cli = new Cli(Map.of("USER", "test"));
        Cli.Result fromFile = cli.run("provision", "cfg-1", "--config", config.toString());
        assertThat(fromFile.exitCode()).as(fromFile.toString()).isEqualTo(2);
        assertThat(fromFile.err().lines().findFirst().orElse("")).as(fromFile.toString())
                .contains("--per-pool").contains("abc").contains("config file " + config);

        Cli.Result typed = cli.run("provision", "cfg-1", "--config", config.toString(), "--per-pool", "xyz");
        assertThat(typed.exitCode()).as(typed.toString()).isEqualTo(2);
        assertThat(typed.err()).as("typed on the command line: no word about the file").contains("xyz").doesNotContain("config file");

        writeConfig(dir, "catalog=" + url, "output=yaml");
        Cli.Result output = cli.run("orgs", "list", "--config", config.toString());
        assertThat(output.exitCode()).as(output.toString()).isEqualTo(2);
        assertThat(output.err()).contains("yaml").contains("config file " + config);
    }

    /** dir/tenantctl.properties, holding {@code lines}. */
    /**
     * Found by a probing helper: the chmod the warning names was the path as it is, so a config file under a directory
     * with a space, a quote or a {@code $} in its name gave a command bash splits, refuses or expands, and the file stayed
     * readable by everyone. The chmod now runs as pasted.
     */
    @Test
    void theChmodTheWarningNamesRunsAsPastedWhateverThePath(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path config = writeConfig(Files.createDirectories(dir.resolve("ops conf $HOME 'x' \u00e9")), "catalog=" + url, "POOL1_PASSWORD=Snt-CfgPw-8Jk");
        Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result r = ok(new Cli(Map.of("USER", "test")), "orgs", "list", "--config", config.toString());
        String line = r.err().lines().filter(l -> l.contains("chmod 600 ")).findFirst().orElseThrow(() -> new AssertionError(r.toString()));
        String chmod = line.substring(line.indexOf("chmod 600 "));
        Process p = new ProcessBuilder("bash", "-c", chmod).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", chmod, said).isZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).as(chmod).isEqualTo("rw-------");
    }

    private static Path writeConfig(Path dir, String... lines) throws java.io.IOException {
        Path config = dir.resolve("tenantctl.properties");
        Files.writeString(config, String.join("\n", lines) + "\n");
        return config;
    }
}
