package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --exclude acme_prod} meant to protect acme-prod: it was accepted in silence and acme-prod was planned. Refused now. */
class RebalanceExcludeOfAnUnknownOrgTest {

    @TempDir
    Path dir;

    @Test
    void aMistypedExcludeIsAUsageErrorNotAPlanThatMovesTheOrg() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme-prod", "globex");
            f.cli.run("pools", "drain", "pool-0");
            for (String verb : new String[]{"plan", "apply"}) {
                Cli.Result r = f.cli.run("rebalance", verb, "--exclude", "acme_prod");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.err()).contains("no org named acme_prod");
            }
            assertThat(f.org("acme-prod").get("pool_id").asText()).as("nothing moved").isEqualTo("pool-0");
        }
    }
}
