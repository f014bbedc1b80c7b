package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every option's --help shows its default once, picocli's "Default: …" line; orgs purge --older-than also wrote it
 * into its description, so its help read "Default: 30d. Default: 30d".
 */
class PurgeHelpGivesItsDefaultOnceTest {

    @Test
    void olderThanSaysItsDefaultOnce() {
        Cli.Result r = new Cli(Map.of()).run("orgs", "purge", "--help");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out().split("Default: 30d", -1)).as(r.out()).hasSize(2);
    }
}
