package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: an index keyed on exactly {_id: 1} (any name, any options) passed validation, then every org's
 * createIndexes failed with 85 IndexOptionsConflict ("Index already exists with a different name: _id_"), and its next
 * step failed the same way. Every collection has _id_ on {_id: 1}; a TTL on _id is refused by the server too. The
 * manifest is now refused (exit 2, naming the collection and index) before anything is written; {_id: -1} and compound
 * keys with _id stay allowed.
 */
class ManifestIndexOnIdIsRefusedTest {

    private final Cli cli = new Cli(Map.of("USER", "test"));

    private static Path manifest(Path dir, String file, String index) throws Exception {
        Path p = dir.resolve(file);
        Files.writeString(p, "{\"collections\":[{\"name\":\"a\",\"indexes\":[" + index + "]}]}");
        return p;
    }

    @Test
    void anIndexOnExactlyIdAscendingIsRefused(@TempDir Path dir) throws Exception {
        for (String index : new String[]{"{\"name\":\"x\",\"key\":{\"_id\":1}}", "{\"name\":\"x\",\"key\":{\"_id\":1},\"unique\":true}"}) {
            Cli.Result r = cli.run("schema", "show", "--schema", manifest(dir, "id.json", index).toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains("collection 'a'").contains("index 'x'").contains("_id_")
                    .contains("{_id: 1}");
        }
    }

    @Test
    void aTtlOnIdIsRefused(@TempDir Path dir) throws Exception {
        for (String key : new String[]{"{\"_id\":1}", "{\"_id\":-1}"}) {
            Cli.Result r = cli.run("schema", "show", "--schema",
                    manifest(dir, "ttl.json", "{\"name\":\"x\",\"key\":" + key + ",\"expireAfterSeconds\":5}").toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains("collection 'a'").contains("index 'x'").contains("_id")
                    .contains(key.equals("{\"_id\":1}") ? "{_id: 1}" : "\"expireAfterSeconds\" on _id");
        }
    }

    @Test
    void descendingOrCompoundKeysWithIdStayAllowed(@TempDir Path dir) throws Exception {
        for (String key : new String[]{"{\"_id\":-1}", "{\"_id\":1,\"b\":1}", "{\"b\":1,\"_id\":1}"}) {
            Cli.Result r = cli.run("schema", "show", "--schema", manifest(dir, "ok.json", "{\"name\":\"x\",\"key\":" + key + "}").toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(0);
        }
    }

    @Test
    void provisionRefusesItBeforeCreatingAnything(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli withCatalog = new Cli(Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test"));
            CliFixture.addPool(withCatalog, "p1", pools.uri(0), 5, 1);
            Path ttl = manifest(dir, "ttlid.json", "{\"name\":\"x\",\"key\":{\"_id\":1},\"expireAfterSeconds\":5}");
            Cli.Result r = withCatalog.run("provision", "t1", "--schema", ttl.toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains("index 'x'");
            assertThat(pools.databaseNames(0)).noneMatch(n -> n.startsWith("org_"));
            assertThat(CliFixture.count(url, "SELECT count(*) FROM orgs")).isZero();
        }
    }
}
