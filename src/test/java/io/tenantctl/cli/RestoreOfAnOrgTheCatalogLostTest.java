package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (restore from backups that are not what they claim — moved): the catalog came back from a snapshot older than
 * org acme (or was rebuilt with {@code init}), and acme's database is gone with the pool's own restore. acme's backups are
 * all still in the store, and {@code backups list --org acme} shows them {@code complete} ("not recorded in the catalog").
 * README, On call, "Restore one org": {@code backups list --org acme}, then {@code restore --org acme}. That says
 * "no org named 'acme': see 'tenantctl orgs list'" (exit 2) — and {@code orgs list} has no acme either. The command that
 * brings acme back exists ({@code restore --org acme --to-org acme}), but nothing printed leads to it: the operator is
 * left with backups they are told do not belong to anything.
 *
 * <p>Either restore brings acme back, or its refusal names a command that does, typed as printed.
 */
@Timeout(180)
class RestoreOfAnOrgTheCatalogLostTest {

    private static final Pattern COMMAND = Pattern.compile("'tenantctl ([^']+)'|tenantctl (restore [^\\s;)]+(?: [^\\s;)]+)*)");

    @TempDir
    Path dir;

    @Test
    void restoreOfAnOrgOnlyItsBackupsRememberLeadsToItsData() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 30);
            Map<String, List<RawBsonDocument>> data = BackupFixture.contents(f.db("acme"));
            f.backup("acme");
            f.db("acme").drop();

            // the catalog from before acme existed: its pool registered, acme unknown
            String older = CliFixture.initialisedCatalog();
            Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", older, "TENANTCTL_STORE", f.storeDir.toUri().toString(), "USER", "test"));
            CliFixture.addPool(cli, "pool-0", f.pools.uri(0), 100, 1);
            JsonNode listed = strictJson(ok(cli, "backups", "list", "--org", "acme", "-o", "json"));
            assertThat(listed.get("backups").findValuesAsText("status")).as(listed.toPrettyString()).containsExactly("complete");

            Cli.Result restore = cli.run("restore", "--org", "acme");
            if (restore.exitCode() != 0) {
                Matcher m = COMMAND.matcher(restore.err());
                List<String> followed = new ArrayList<>();
                while (m.find()) {
                    String command = m.group(1) != null ? m.group(1) : m.group(2);
                    followed.add(command + " -> " + cli.run(command.split(" ")).exitCode());
                }
                assertThat(cli.run("orgs", "show", "acme").exitCode())
                        .as("restore --org acme: %s; its hint(s) followed: %s", restore, followed).isZero();
            }
            JsonNode org = strictJson(ok(cli, "orgs", "show", "acme", "-o", "json"));
            assertThat(org.get("status").asText()).isEqualTo("active");
            assertThat(BackupFixture.contents(f.database(org.get("pool_id").asText(), org.get("database_name").asText())))
                    .as("acme's documents").isEqualTo(data);
        }
    }
}
