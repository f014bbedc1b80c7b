package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.MigrateAllFixture.V1;
import static io.tenantctl.cli.MigrateAllFixture.V2_ADD;
import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An org named with --org that --pool (or migrate-all's --tier) leaves out is said on stderr, not passed over in
 * silence: a migrate-all that migrated nothing, or a verify that checked nothing and says clean, looked like success.
 */
class NamedOrgLeftOutBySelectorsIsSaidTest {

    private final TestPools pools = new TestPools(2);

    @AfterEach
    void stop() {
        pools.close();
    }

    @Test
    void migrateAllAndVerifySayWhichNamedOrgTheyLeftOutAndWhy(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-a", pools.uri(0), 10, 1);
        CliFixture.addPool(cli, "pool-b", pools.uri(1), 10, 2);
        Path v1 = write(dir, "v1.json", V1);
        MigrateAllFixture.provision(cli, v1, List.of("acme"), "--pool", "pool-a");
        MigrateAllFixture.provision(cli, v1, List.of("globex"), "--pool", "pool-b");
        Path v2 = write(dir, "v2.json", V2_ADD);

        Cli.Result byPool = cli.run("migrate-all", "--schema", v2.toString(), "--org", "acme,globex", "--pool", "pool-b");
        assertThat(byPool.exitCode()).as(byPool.toString()).isZero();
        assertThat(byPool.err()).contains("org acme is on pool pool-a, not on --pool pool-b: not selected").doesNotContain("org globex");
        CliFixture.assertExactly(url, v1, List.of("acme"));
        CliFixture.assertExactly(url, v2, List.of("globex"));

        Cli.Result byTier = cli.run("migrate-all", "--schema", v2.toString(), "--org", "acme", "--tier", "enterprise");
        assertThat(byTier.exitCode()).as(byTier.toString()).isZero();
        assertThat(byTier.err()).containsPattern("org acme is of tier \\S+, not --tier enterprise: not selected");
        CliFixture.assertExactly(url, v1, List.of("acme"));

        Cli.Result verify = cli.run("verify", "--org", "acme", "--pool", "pool-b", "-o", "json");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.err()).contains("org acme is on pool pool-a, not on --pool pool-b: not checked");
        CliFixture.strictJson(verify); // the notice is on stderr: stdout stays one JSON document
    }

    @Test
    void aTierNoOrgHasIsSaidWithTheTiersOrgsHave(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-a", pools.uri(0), 10, 1);
        Path v1 = write(dir, "v1.json", V1);
        MigrateAllFixture.provision(cli, v1, List.of("acme"), "--tier", "enterprise");
        MigrateAllFixture.provision(cli, v1, List.of("globex"), "--tier", "growth");
        Path v2 = write(dir, "v2.json", V2_ADD);

        Cli.Result typo = cli.run("migrate-all", "--schema", v2.toString(), "--tier", "enterprize", "-o", "json");
        assertThat(typo.exitCode()).as(typo.toString()).isZero(); // no org of a tier yet is no error in a pipeline
        assertThat(typo.err()).contains("no org is of tier enterprize (the orgs' tiers: enterprise, growth): nothing selected");
        CliFixture.strictJson(typo);
        CliFixture.assertExactly(url, v1, List.of("acme", "globex"));

        Cli.Result right = cli.run("migrate-all", "--schema", v2.toString(), "--tier", "enterprise");
        assertThat(right.exitCode()).as(right.toString()).isZero();
        assertThat(right.err()).doesNotContain("no org is of tier");
        CliFixture.assertExactly(url, v2, List.of("acme"));
        CliFixture.assertExactly(url, v1, List.of("globex"));
    }

    @Test
    void anIdNoOrgHasIsRefusedInTheSameWordsByMigrateAllAndBackup(@TempDir Path dir) {
        String url = CliFixture.initialisedCatalog();
        Cli cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-a", pools.uri(0), 10, 1);
        Path v1 = write(dir, "v1.json", V1);
        MigrateAllFixture.provision(cli, v1, List.of("acme"));
        Path v2 = write(dir, "v2.json", V2_ADD);

        Cli.Result migrate = cli.run("migrate-all", "--schema", v2.toString(), "--org", "acme,nobody,ghost");
        Cli.Result backup = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", url, "USER", "test",
                "TENANTCTL_STORE", dir.resolve("store").toUri().toString())).run("backup", "--org", "acme,nobody,ghost");
        for (Cli.Result r : List.of(migrate, backup)) {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("no org named nobody, ghost: see 'tenantctl orgs list'");
        }
        CliFixture.assertExactly(url, v1, List.of("acme")); // refused before anything was touched
    }
}
