package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/** Which orgs a backup takes: --pool is repeatable and comma-separated like --org; restore names exactly one org. */
class BackupSelectionTest {

    @TempDir
    Path dir;

    @Test
    void poolsRepeatedOrCommaSeparatedBackUpTheOrgsOfEachOnce() {
        try (BackupFixture f = new BackupFixture(3, dir)) {
            f.provisionTier("free", "pool-0", "a1", "a2");
            f.provisionTier("free", "pool-1", "b1");
            f.provisionTier("free", "pool-2", "c1");
            assertThat(backedUp(f, "--pool", "pool-0,pool-1")).containsExactly("a1", "a2", "b1");
            assertThat(backedUp(f, "--pool", "pool-2", "--pool", "pool-0", "--pool", "pool-2")).containsExactly("a1", "a2", "c1");
            Cli.Result unknown = f.cli.run("backup", "--pool", "pool-0,pool-9");
            assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);
            assertThat(unknown.err()).contains("pool-9");
        }
    }

    @Test
    void restoreOfACommaListSaysItRestoresOneOrg() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("a1", "a2");
            ok(f.cli, "backup", "--org", "a1,a2");
            Cli.Result r = f.cli.run("restore", "--org", "a1,a2");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("one org").contains("a1").contains("a2");
            f.assertClean("a1");
            f.assertClean("a2");
        }
    }

    private static List<String> backedUp(BackupFixture f, String... selection) {
        List<String> args = new ArrayList<>(List.of("backup", "-o", "json", "--no-progress"));
        args.addAll(List.of(selection));
        JsonNode out = strictJson(ok(f.cli, args.toArray(String[]::new)));
        List<String> orgs = new ArrayList<>();
        out.get("orgs").forEach(o -> {
            assertThat(o.get("outcome").asText()).as(o.toString()).isEqualTo("backed_up");
            orgs.add(o.get("org_id").asText());
        });
        return orgs.stream().sorted().toList();
    }
}
