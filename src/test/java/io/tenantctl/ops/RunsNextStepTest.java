package io.tenantctl.ops;

import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The next step a run shows (runs list/show) is a command that exists for its verb. */
class RunsNextStepTest {

    private static String next(String verb, String args, RunStatus status) {
        return Runs.RunView.of(new RunRepository.Run("20261201T000000Z-abcd", verb, args, Instant.EPOCH, null, status.db(), "me", null, null, null),
                status, null, null).next().text();
    }

    @Test
    void aFanOutVerbIsResumedWithItsOwnResume() {
        assertThat(next("backup", "{}", RunStatus.ABANDONED))
                .isEqualTo("tenantctl backup --resume 20261201T000000Z-abcd   (or: tenantctl runs cancel 20261201T000000Z-abcd)");
        assertThat(next("migrate-all", "{}", RunStatus.INTERRUPTED)).isEqualTo("tenantctl migrate-all --resume 20261201T000000Z-abcd");
    }

    @Test
    void aRebalanceRunIsResumedByRebalanceApply_thereIsNoRebalanceResumeOption() {
        assertThat(next("rebalance", "{}", RunStatus.ABANDONED))
                .startsWith("tenantctl rebalance apply --resume 20261201T000000Z-abcd").contains("runs cancel 20261201T000000Z-abcd");
        assertThat(next("rebalance", "{}", RunStatus.INTERRUPTED)).isEqualTo("tenantctl rebalance apply --resume 20261201T000000Z-abcd");
    }

    @Test
    void anInterruptedRestoreIsRunAgain_restoreHasNoResume() {
        assertThat(next("restore", "{\"org\":\"acme\",\"backup\":\"20250314T020000Z-k3x9qa\",\"mode\":\"fresh\",\"pool\":\"pool-1\"}",
                RunStatus.INTERRUPTED)).as("the pool it was restoring onto, which may not be the org's")
                .isEqualTo("tenantctl restore --org acme --backup 20250314T020000Z-k3x9qa --target-pool pool-1");
        assertThat(next("restore", "{\"org\":\"acme\",\"backup\":\"20250314T020000Z-k3x9qa\",\"to_org\":\"acme-copy\",\"mode\":\"new_org\","
                + "\"pool\":\"pool-2\"}", RunStatus.INTERRUPTED))
                .isEqualTo("tenantctl restore --org acme --backup 20250314T020000Z-k3x9qa --to-org acme-copy --target-pool pool-2");
        assertThat(next("restore", "{\"org\":\"acme\",\"backup\":\"20250314T020000Z-k3x9qa\",\"mode\":\"in_place\",\"pool\":\"pool-1\"}",
                RunStatus.INTERRUPTED)).isEqualTo("tenantctl restore --org acme --backup 20250314T020000Z-k3x9qa --in-place --drop-existing");
    }
}
