package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB and FerretDB take a collection name with a newline, a tab or an escape sequence in it. Printed as it is, such a
 * name split a table row in two (a line of its own that looked like another row) or a verify finding's detail, and an
 * escape sequence reached the operator's terminal (recolouring, hiding what follows). Text output writes those
 * characters escaped ({@code \n}, {@code \t}, {@code \u001b}); {@code -o json} keeps the name exactly.
 */
class CollectionNamesWithControlCharactersStayOnTheirLineTest {

    private static final String NEWLINE = "line\nbreak";
    private static final String ESCAPE = "esc\u001b[8mhidden";

    @TempDir
    Path dir;

    @Test
    void tablesAndFindingsEscapeThemAndJsonKeepsThem() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            for (String name : List.of(NEWLINE, ESCAPE)) {
                f.db("acme").getCollection(name).insertOne(new Document("_id", 1));
            }
            String backupId = f.backup("acme");

            Cli.Result show = ok(f.cli, "backups", "show", backupId);
            assertThat(show.out()).as(show.toString()).contains("line\\nbreak ").contains("esc\\u001b[8mhidden ")
                    .doesNotContain("\u001b").doesNotContain(NEWLINE);
            Cli.Result verify = ok(f.cli, "verify", "--org", "acme");
            assertThat(verify.out()).as(verify.toString()).contains("line\\nbreak (collection)")
                    .doesNotContain("\u001b").doesNotContain(NEWLINE);

            JsonNode json = strictJson(ok(f.cli, "backups", "show", backupId, "-o", "json"));
            assertThat(json.get("manifest").get("collections").findValuesAsText("name")).contains(NEWLINE, ESCAPE);
        }
    }
}
