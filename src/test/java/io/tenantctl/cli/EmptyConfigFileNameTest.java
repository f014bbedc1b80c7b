package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Found by probing: {@code --config ''} said "config file  is a directory" (the empty path is the working directory). */
class EmptyConfigFileNameTest {

    @Test
    void anEmptyConfigFileNameIsSaidToBeEmpty() {
        Cli cli = new Cli(Map.of("USER", "test", "TENANTCTL_CATALOG_URL", "postgres://nowhere:1/x"));
        Cli.Result r = cli.run("orgs", "list", "--config", "");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).as(r.toString()).contains("--config is empty: name the properties file, or leave --config out")
                .doesNotContain("is a directory");
    }

    /**
     * Found by probing: a pipeline's {@code --schema "$MANIFEST"} with the variable unset said "schema file /the/working/dir
     * is unreadable: Is a directory" — it named a directory nobody gave as the manifest.
     */
    @Test
    void anEmptySchemaFileNameIsSaidToBeEmpty() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        for (String[] args : new String[][]{{"migrate-all", "--schema", "", "--dry-run"}, {"provision", "acme", "--schema", "", "--dry-run"},
                {"schema", "diff", "acme", "--schema", ""}, {"schema", "show", "--schema", ""}, {"schema", "export", "--schema", ""}}) {
            Cli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains("--schema is empty: name the manifest file, or leave --schema out")
                    .doesNotContain("is a directory").hasLineCount(1);
        }
    }
}
