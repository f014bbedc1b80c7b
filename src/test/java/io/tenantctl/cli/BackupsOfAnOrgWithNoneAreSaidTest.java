package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backups list --org acmee} (a typo for acme) printed an empty table and exited 0, and {@code backups prune --org
 * acmee} said "deleted 0 backups, kept 0": to an operator checking an org's backups at 3 a.m., "none" and "no such org"
 * looked the same. An org named that has no backup here is said on stderr; stdout keeps its one JSON document.
 */
class BackupsOfAnOrgWithNoneAreSaidTest {

    @TempDir
    Path dir;

    @Test
    void anOrgNamedWithNoBackupIsSaidByListAndPrune() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String backupId = f.backup("acme");
            String store = f.storeDir.toUri().toString();

            for (String[] args : new String[][]{{"backups", "list", "--org", "acme,acmee", "-o", "json"},
                    {"backups", "list", "--org", "acme,acmee"}, {"backups", "prune", "--org", "acme,acmee", "--dry-run", "-o", "json"}}) {
                Cli.Result r = f.cli.run(args);
                assertThat(r.exitCode()).as(r.toString()).isZero();
                assertThat(r.err()).as(r.toString()).contains("no backup of org acmee in the catalog or in " + store.replaceAll("/$", ""))
                        .doesNotContain("no backup of org acme ");
                assertThat(r.out()).as("acme's backup is listed all the same").contains(backupId);
                if (args[args.length - 1].equals("json")) {
                    strictJson(r);
                }
            }
            JsonNode all = strictJson(f.cli.run("backups", "list", "-o", "json"));
            assertThat(all.get("backups")).hasSize(1);
            assertThat(f.cli.run("backups", "list").err()).as("no --org, nothing to say").doesNotContain("no backup of org");
        }
    }
}
