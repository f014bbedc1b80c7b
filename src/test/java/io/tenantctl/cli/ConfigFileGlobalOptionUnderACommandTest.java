package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: {@code tenantctl.orgs.list.output=json}, {@code tenantctl.backup.store=…} — a global option under a
 * command's name — passed the unknown-key check and did nothing (a table, "no object store given"). Global options are
 * read only under their plain key, so the file is refused naming the key that works.
 */
class ConfigFileGlobalOptionUnderACommandTest {

    @Test
    void aGlobalOptionUnderACommandsNameIsRefusedNamingThePlainKey(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Path config = dir.resolve("tenantctl.properties");
        Cli cli = new Cli(Map.of("USER", "test"));
        String[][] cases = {
                {"tenantctl.orgs.list.output=json", "output is a global option, set it as 'output=json'"},
                {"tenantctl.orgs.list.quiet=true", "quiet is a global option, set it as 'quiet=true'"},
                {"tenantctl.orgs.list.log-format=json", "log-format is a global option, set it as 'log-format=json'"},
                {"tenantctl.provision.output=json", "output is a global option, set it as 'output=json'"},
                {"tenantctl.orgs.list.store=file:///tmp/x/", "store is a global option, set it as 'store=URL'"},
                {"tenantctl.output=json", "output is a global option, set it as 'output=json'"},
        };
        for (String[] c : cases) {
            Files.writeString(config, "catalog=" + url + "\n" + c[0] + "\n");
            Cli.Result r = cli.run("orgs", "list", "--config", config.toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
            assertThat(r.err()).as(r.toString()).contains(c[0].substring(0, c[0].indexOf('=')) + ": " + c[1])
                    .contains("(it applies to every command)").doesNotContain("file:///tmp/x/");
        }
        // the plain key works, and so does a command's own option under its name
        Files.writeString(config, "catalog=" + url + "\noutput=json\ntenantctl.orgs.purge.older-than=1d\n");
        assertThat(strictJson(ok(cli, "orgs", "list", "--config", config.toString())).get("orgs")).isNotNull();
    }
}
