package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (e46d384, backups show of a damaged manifest): {@code backups show} now says why a manifest "does not read
 * back" ({@code manifest_error}) — but only when it does not parse. A manifest that parses and is not the one the backup
 * was written with (edited after it was taken: here its collection list emptied) is refused by restore ("the backup was
 * changed after it was taken; choose another backup"), called damaged by prune and {@code backup_corrupt} by
 * {@code verify --deep}, whose fix sends the operator to {@code backups show ID --org ORG}. That step shows it as a good
 * backup: status complete, no note, {@code manifest_error} null, the edited manifest as if it were the backup's. What
 * verify sends people to look at must say what is wrong with it (the cheap check restore makes first: the manifest's
 * sha256 against the catalog's).
 */
@Timeout(120)
class BackupsShowOfAnUnrestorableBackupTest {

    @TempDir
    Path dir;

    @Test
    void backupsShowSaysWhyABackupVerifyAndRestoreRefuseIsNotRestorable() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String id = f.backup("acme");
            Path manifest = f.files("acme", id).get("manifest.json");
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode edited = (ObjectNode) mapper.readTree(manifest.toFile());
            edited.putArray("collections"); // edited by hand after the backup was taken
            Files.write(manifest, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(edited));

            Cli.Result deep = f.cli.run("verify", "--deep", "-o", "json");
            String fix = null;
            for (JsonNode x : strictJson(deep).get("findings")) {
                if (x.get("kind").asText().equals("backup_corrupt") && x.get("org_id").asText().equals("acme")) {
                    fix = x.get("fix").asText();
                }
            }
            assertThat(fix).as("verify --deep reports acme's newest backup corrupt: %s", deep).isNotNull();
            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--backup", id, "--dry-run");
            assertThat(restore.exitCode()).as("restore refuses it: %s", restore).isNotZero();

            String show = fix.substring(fix.indexOf("then: ") + "then: ".length(), fix.lastIndexOf(')')).trim();
            List<String> args = new java.util.ArrayList<>(List.of(show.substring("tenantctl ".length()).split(" ")));
            args.addAll(List.of("-o", "json"));
            Cli.Result shown = f.cli.run(args.toArray(String[]::new));

            assertThat(shown.exitCode()).as(shown.toString()).isZero();
            JsonNode doc = strictJson(shown);
            assertThat(doc.path("manifest_error").isNull() && doc.path("backup").path("error").isNull())
                    .as("'%s' must say why verify and restore refuse this backup, not show it as a good one: %s", show, shown)
                    .isFalse();
        }
    }
}
