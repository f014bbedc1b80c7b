package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming: restoring a zstd backup (the default compression) in a process where zstd's native library cannot
 * load (a container whose java.io.tmpdir is missing, read-only or noexec) fails with backup's config error, whose way
 * out is "or back up with --compression gzip". For a restore that is the wrong next step, and a harmful one: followed
 * literally it takes a new backup of the org's current (damaged) data, which then becomes the org's newest backup - the
 * one a plain {@code restore --org ORG} picks - so the restore the operator wanted never happens. The restore's error
 * must give a way out that works for a restore (a usable tmpdir), and still be exit 3 with the org left as it was.
 */
class RestoreWhereZstdCannotLoadTest {

    @TempDir
    Path dir;

    @Test
    void aZstdBackupThatCannotBeDecompressedHereDoesNotTellTheOperatorToTakeANewBackup() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String good = f.backup("acme"); // zstd, the default
            f.db("acme").getCollection("notes").deleteMany(new Document()); // the mistake to undo
            Map<String, List<RawBsonDocument>> now = BackupFixture.contents(f.db("acme"));

            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString());
            List<String> noTmp = List.of("-Xmx256m", "-Djava.io.tmpdir=" + dir.resolve("no-such-dir"));
            ChildJvm.Exit restore = ChildJvm.run(dir.resolve("restore"), env, 120, noTmp, Main.class.getName(),
                    "restore", "--org", "acme", "--backup", good);

            assertThat(restore.code()).as(restore.err()).isEqualTo(3);
            assertThat(restore.err()).as("the way out names the directory zstd needs").contains(dir.resolve("no-such-dir").toString());
            assertThat(restore.err()).as("a restore's way out is not to take a new backup, which would become the org's latest")
                    .doesNotContain("back up with");
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo("org_acme");
            f.assertHolds("acme", now);
        }
    }
}
