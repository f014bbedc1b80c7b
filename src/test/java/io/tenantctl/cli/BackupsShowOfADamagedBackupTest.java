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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code verify --deep}'s {@code backup_corrupt} fix sends the operator to "tenantctl backups show ID --org ORG" (it
 * once printed "backups show ORG ID", a usage error). That step must show the backup and say what is wrong with it: it
 * exited 1 on a manifest.json cut in half ("not valid JSON"), and showed a manifest edited by hand after the backup was
 * taken (refused by restore, damaged to prune) as a good complete backup.
 */
@Timeout(120)
class BackupsShowOfADamagedBackupTest {

    @TempDir
    Path dir;

    @Test
    void aCollectionFileWithAFlippedBitIsShown() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupOfAcme(f);
            f.flipABit("acme", id, "notes"); // the bucket lost a bit

            Cli.Result shown = f.cli.run(showStepOfTheFix(f, List.of()));

            assertThat(shown.exitCode()).as("verify --deep recorded it damaged: not restorable, a problem found: %s", shown).isEqualTo(4);
            assertThat(shown.out()).as(shown.toString()).contains(id);
        }
    }

    @Test
    void aManifestCutInHalfIsShownWithWhyItDoesNotReadBack() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupOfAcme(f);
            Path manifest = f.files("acme", id).get("manifest.json");
            byte[] bytes = Files.readAllBytes(manifest);
            Files.write(manifest, Arrays.copyOf(bytes, bytes.length / 2)); // the copy of the store stopped half-way through it

            Cli.Result shown = f.cli.run(showStepOfTheFix(f, List.of()));

            assertThat(shown.exitCode()).as("a backup that is not restorable is a problem found: %s", shown).isEqualTo(4);
            assertThat(shown.out()).as(shown.toString()).contains(id).contains("does not read back");
        }
    }

    @Test
    void aManifestEditedAfterTheBackupIsShownAsNotRestorable() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String id = backupOfAcme(f);
            Path manifest = f.files("acme", id).get("manifest.json");
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode edited = (ObjectNode) mapper.readTree(manifest.toFile());
            edited.putArray("collections"); // edited by hand after the backup was taken
            Files.write(manifest, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(edited));
            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--backup", id, "--dry-run");
            assertThat(restore.exitCode()).as("restore refuses it: %s", restore).isNotZero();

            Cli.Result shown = f.cli.run(showStepOfTheFix(f, List.of("-o", "json")));

            assertThat(shown.exitCode()).as("a backup that is not restorable is a problem found: %s", shown).isEqualTo(4);
            assertThat(strictJson(shown).path("manifest_error").asText(""))
                    .as("says why verify and restore refuse this backup, not shown as a good one: %s", shown).contains("changed after it was taken");
        }
    }

    private static String backupOfAcme(BackupFixture f) {
        f.provision("acme");
        f.notes("acme", "notes", 20);
        return f.backup("acme");
    }

    /** The "then: tenantctl backups show …" step of verify --deep's backup_corrupt fix for acme, as arguments, plus {@code extra}. */
    private static String[] showStepOfTheFix(BackupFixture f, List<String> extra) {
        Cli.Result deep = f.cli.run("verify", "--deep", "-o", "json");
        assertThat(deep.exitCode()).as(deep.toString()).isEqualTo(4);
        String fix = null;
        for (JsonNode x : strictJson(deep).get("findings")) {
            if (x.get("kind").asText().equals("backup_corrupt") && x.get("org_id").asText().equals("acme")) {
                fix = x.get("fix_note").asText(); // "a fresh backup; then: tenantctl backups show …"
            }
        }
        assertThat(fix).as(deep.toString()).isNotNull();
        String show = fix.substring(fix.indexOf("then: ") + "then: ".length()).trim();
        assertThat(show).as(fix).startsWith("tenantctl backups show ");
        List<String> args = new ArrayList<>(List.of(show.substring("tenantctl ".length()).split(" ")));
        args.addAll(extra);
        return args.toArray(String[]::new);
    }
}
