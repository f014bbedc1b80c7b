package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a restore given {@code --store} whose newest backup there is damaged names the restore of
 * the next older one — "as it was given" (--to-org, --target-pool) but without the --store: pasted, it read
 * TENANTCTL_STORE, where that backup is not ("written to ..., not to this store", exit 2), or with no store in the
 * environment it was a usage error. The restore it names now reads the store the refused one read.
 */
@Timeout(180)
class RestoreNamesTheOlderBackupInTheStoreItReadTest {

    @TempDir
    Path dir;

    @Test
    void theOlderBackupsRestoreAsPastedReadsTheSameStore() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            Path other = Files.createDirectories(dir.resolve("other store"));
            String url = other.toUri().toString();
            JsonNode first = strictJson(f.cli.run("backup", "--org", "acme", "--store", url, "-o", "json"));
            f.notes("acme", "later", 3);
            JsonNode second = strictJson(f.cli.run("backup", "--org", "acme", "--store", url, "-o", "json"));
            String older = first.get("orgs").get(0).get("backup_id").asText();
            String newest = second.get("orgs").get(0).get("backup_id").asText();
            try (Stream<Path> files = Files.list(other.resolve("acme").resolve(newest))) {
                Files.delete(files.filter(p -> p.getFileName().toString().startsWith("notes.")).findFirst().orElseThrow());
            }

            Cli.Result refused = f.cli.run("restore", "--org", "acme", "--store", url, "--to-org", "acme-copy", "--target-pool", "pool-1");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            String err = refused.err();
            int at = err.indexOf("'tenantctl restore --org acme --backup " + older);
            assertThat(at).as(err).isNotNegative();
            String command = err.substring(at + 1, err.indexOf("' restores it", at));
            String[] pasted = AnotherStoreNamedInAFixRunsAsPastedTest.asBashReadsIt(command);
            assertThat(pasted).as(command).isNotNull();

            Cli.Result restored = f.cli.run(Stream.concat(Arrays.stream(pasted), Stream.of("-o", "json")).toArray(String[]::new));
            assertThat(restored.exitCode()).as("%s -> %s", command, restored).isZero();
            assertThat(f.db("acme-copy").getCollection("notes").countDocuments()).isEqualTo(5);
        }
    }
}
