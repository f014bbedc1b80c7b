package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: a config file, or a provision / adopt --file, saved as "UTF-8" by Notepad or PowerShell starts with a
 * byte-order mark; its first key became {@code \uFEFFoutput} and was refused as "not spelt like an option", and the first
 * org id was refused with the mark invisible in the message. A leading UTF-8 byte-order mark is skipped.
 */
class FilesSavedWithAByteOrderMarkTest {

    private static Path withBom(Path file, String text) throws java.io.IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[body.length + 3];
        bytes[0] = (byte) 0xEF;
        bytes[1] = (byte) 0xBB;
        bytes[2] = (byte) 0xBF;
        System.arraycopy(body, 0, bytes, 3, body.length);
        return Files.write(file, bytes);
    }

    @Test
    void aConfigFileWithAByteOrderMarkIsReadFromItsFirstKey(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path config = withBom(dir.resolve("tenantctl.properties"), "output=json\r\ncatalog=" + url + "\r\nper-pool=2\r\n");
        Cli cli = new Cli(Map.of("USER", "test"));
        Cli.Result r = cli.run("orgs", "list", "--config", config.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(strictJson(r).get("orgs")).as("output=json, the first key, is read").isNotNull();
    }

    @Test
    void idsFilesWithAByteOrderMarkGiveTheirFirstOrg(@TempDir Path dir) throws Exception {
        try (TestPools pools = new TestPools(1)) {
            String url = CliFixture.initialisedCatalog();
            Cli cli = Cli.withCatalog(url);
            CliFixture.addPool(cli, "pool-1", pools.uri(0), 10, 1);
            String schema = CliFixture.smallSchema(dir).toString();

            Path ids = withBom(dir.resolve("ids.txt"), "h1\r\nh2\r\n");
            Cli.Result provisioned = cli.run("provision", "--file", ids.toString(), "--schema", schema, "-o", "json");
            assertThat(provisioned.exitCode()).as(provisioned.toString()).isZero();
            assertThat(strictJson(provisioned).get("counts").get("provisioned").asInt()).isEqualTo(2);

            try (MongoClient c = MongoClients.create(pools.uri(0))) {
                c.getDatabase("org_a1").getCollection("users").insertOne(new Document("email", "ceo@a1.example"));
            }
            Path adopt = withBom(dir.resolve("adopt.txt"), "a1 org_a1\r\n");
            Cli.Result adopted = cli.run("orgs", "adopt", "--file", adopt.toString(), "--pool", "pool-1", "--schema", schema);
            assertThat(adopted.exitCode()).as(adopted.toString()).isZero();
            for (String org : new String[]{"h1", "h2", "a1"}) {
                JsonNode shown = strictJson(ok(cli, "orgs", "show", org, "-o", "json"));
                assertThat(shown.get("status").asText()).isEqualTo("active");
            }
        }
    }
}
