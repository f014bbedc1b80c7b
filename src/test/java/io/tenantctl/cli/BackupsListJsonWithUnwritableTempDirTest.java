package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backups list -o json} spools its document to a temporary file (Output.jsonList). In the container /tmp is a
 * 64 Mi emptyDir: full, or a read-only root filesystem with no writable temp dir, the command cannot spool. It then says
 * "error: unexpected IllegalStateException: cannot render JSON (temporary file null): … (run with -v for the stack
 * trace)" and exits 1 — the code for "some orgs failed", category internal, and a hint (-v) that only shows a stack
 * trace. An unusable temp dir is the environment's problem: exit 3 (config), naming the directory and how to point
 * tenantctl at another one, not an "unexpected" internal error.
 */
@Timeout(180)
class BackupsListJsonWithUnwritableTempDirTest {

    @TempDir
    Path dir;

    @Test
    void aTempDirThatCannotBeWrittenIsAConfigErrorNamingIt() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            f.backup("acme");
            Path unusable = dir.resolve("no-such-tmp"); // as a full or read-only /tmp: no temp file can be created there

            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString());
            ChildJvm.Exit r = ChildJvm.run(dir.resolve("child"), env, 120, List.of("-Xmx256m", "-Djava.io.tmpdir=" + unusable),
                    Main.class.getName(), "backups", "list", "-o", "json");

            JsonNode doc = strictJson(new Cli.Result(r.code(), r.out(), r.err()));
            assertThat(r.err()).as("one line, not an internal error").doesNotContain("unexpected").doesNotContain("run with -v")
                    .contains(unusable.toString());
            assertThat(doc.path("error").path("category").asText()).as(doc.toString()).isEqualTo("config");
            assertThat(r.code()).as("exit 3: the environment (its temp dir), not 'some orgs failed': %s", r.err()).isEqualTo(3);
        }
    }
}
