package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a pool holds databases named outside ASCII ({@code org_é}); {@code orgs adopt --discover}
 * and verify offered them ("write 'ID org_é'", the fix {@code orgs adopt ORG --pool P --database org_é}) and adopt
 * refused that line: "database name 'org_é' must be 1-63 letters, digits, '_' or '-'" — é is a letter, and
 * {@code schema capture --database org_é} takes it. One rule now, the pool's: 1 to 63 bytes, none of /\. "$*<>:|?.
 */
class AdoptTakesEveryNameAPoolHoldsTest {

    @TempDir
    Path dir;

    @Test
    void aDatabaseNamedOutsideAsciiIsAdoptedAsDiscoverAndVerifySay() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.database("pool-0", "org_é").getCollection("notes").insertOne(new Document("_id", 1));
            f.database("pool-0", "org_ü").getCollection("notes").insertOne(new Document("_id", 1));
            assertThat(ok(f.cli, "orgs", "adopt", "--discover", "--pool", "pool-0").out()).contains("org_é");
            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(findings(strictJson(v), "orphan_database")).anySatisfy(x ->
                    assertThat(x.get("fix_note").asText()).contains("tenantctl orgs adopt ORG --pool pool-0 --database org_é"));

            ok(f.cli, "orgs", "adopt", "eacute", "--pool", "pool-0", "--database", "org_é");
            Path file = Files.writeString(dir.resolve("adopt.txt"), "uuml org_ü\n");
            ok(f.cli, "orgs", "adopt", "--file", file.toString(), "--pool", "pool-0");

            JsonNode e = strictJson(ok(f.cli, "orgs", "show", "eacute", "-o", "json"));
            assertThat(e.get("database_name").asText()).isEqualTo("org_é");
            assertThat(strictJson(ok(f.cli, "orgs", "show", "uuml", "-o", "json")).get("database_name").asText()).isEqualTo("org_ü");
            assertThat(f.database("pool-0", "org_é").getCollection("notes").countDocuments()).isOne();

            // what no pool can hold is still refused, by the pool's rule
            Cli.Result dotted = f.cli.run("orgs", "adopt", "dotted", "--pool", "pool-0", "--database", "org.x");
            assertThat(dotted.exitCode()).as(dotted.toString()).isEqualTo(2);
            assertThat(dotted.err()).contains("database name 'org.x' must be 1 to 63 bytes, none of /\\. \"$*<>:|?");
        }
    }
}
