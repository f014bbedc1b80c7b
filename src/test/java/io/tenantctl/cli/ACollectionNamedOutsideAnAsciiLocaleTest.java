package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: under a C locale (cron's), Java's file-name encoding is ASCII, and a file store cannot name
 * the file of a collection called {@code bücher}. {@code backup} failed "Malformed input" with a next step that failed
 * alike; {@code restore --dry-run} and {@code verify --deep} said the complete backup's file was "missing … the backup is
 * damaged" and recorded it damaged in the catalog, so that afterwards, in any locale, the backup was reported damaged and
 * restore's dry run refused it. It is this machine's environment: exit 3, saying to run under a UTF-8 locale, and no
 * backup is marked damaged (a dry run writes nothing to the catalog at all).
 */
class ACollectionNamedOutsideAnAsciiLocaleTest {

    @TempDir
    Path dir;

    @Test
    void anAsciiLocaleIsSaidAsTheEnvironmentAndMarksNoBackupDamaged() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("uni");
            f.notes("uni", "bücher", 3);
            String id = f.backup("uni"); // in this JVM's UTF-8 locale
            Map<String, String> env = Map.of("LC_ALL", "C", "USER", "test", "TENANTCTL_CATALOG_URL", f.catalogUrl,
                    "TENANTCTL_STORE", f.storeDir.toUri().toString());

            ChildJvm.Exit dry = child(env, "dry", "restore", "--org", "uni", "--to-org", "uni-copy", "--dry-run");
            assertLocaleError(dry);
            ChildJvm.Exit deep = child(env, "deep", "verify", "--deep", "--org", "uni");
            assertThat(deep.code()).as(deep.err()).isEqualTo(3);
            assertThat(deep.err() + deep.out()).as(deep.err()).contains("LANG=C.UTF-8").doesNotContain("backup_corrupt").doesNotContain("damaged").doesNotContain("missing");
            ChildJvm.Exit backup = child(env, "backup", "backup", "--org", "uni");
            assertLocaleError(backup);

            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "--org", "uni", "-o", "json")).get("backups");
            assertThat(listed.toString()).as("no backup is marked damaged").doesNotContain("damaged");
            assertThat(listed.findValuesAsText("backup_id")).contains(id);
            ok(f.cli, "restore", "--org", "uni", "--to-org", "uni-copy", "--dry-run");
            ok(f.cli, "backups", "show", id);
        }
    }

    private static void assertLocaleError(ChildJvm.Exit e) throws Exception {
        assertThat(e.code()).as(e.err()).isEqualTo(3);
        assertThat(e.err()).as(e.err()).contains("cannot be named").contains("bücher.ndjson")
                .contains("run tenantctl under a UTF-8 locale (e.g. LANG=C.UTF-8)")
                .doesNotContain("missing").doesNotContain("damaged").doesNotContain("Malformed input");
    }

    private ChildJvm.Exit child(Map<String, String> env, String name, String... args) throws Exception {
        return ChildJvm.run(dir.resolve(name), env, 120, Main.class.getName(), args);
    }
}
