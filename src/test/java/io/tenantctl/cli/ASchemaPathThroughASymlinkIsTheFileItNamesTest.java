package io.tenantctl.cli;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A --schema file is recorded by its absolute path (25b2de6), made with {@code normalize()}, which drops "dir/.." by
 * its spelling: through a symlink that is another directory than the one the file system goes to. Given
 * {@code link/../next.json} (link pointing into releases/42), migrate-all read and rolled out the next.json beside
 * the link — another manifest, or none — not the one the path names, as every other program reading it would.
 */
class ASchemaPathThroughASymlinkIsTheFileItNamesTest {

    @TempDir
    Path dir;

    @Test
    void migrateAllRollsOutTheManifestThePathNamesThroughTheLink() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            Path release = Files.createDirectories(dir.resolve("releases/42/manifests"));
            MigrateAllFixture.write(dir.resolve("releases/42"), "next.json", MigrateAllFixture.V2_ADD);
            MigrateAllFixture.write(dir, "next.json", MigrateAllFixture.V1); // beside the link: not the file named
            Path link = Files.createSymbolicLink(dir.resolve("manifests"), release);
            String named = link + "/../next.json";
            assertThat(Files.readString(Path.of(named))).as("what the path names").isEqualTo(MigrateAllFixture.V2_ADD);

            ok(f.cli, "migrate-all", "--schema", named, "--prune", "--replace-conflicting");

            List<String> indexes = f.db("acme").getCollection("messages").listIndexes().map(d -> d.getString("name"))
                    .into(new ArrayList<>());
            assertThat(indexes).as("acme's messages after the rollout of " + named).contains("created_-1");
        }
    }
}
