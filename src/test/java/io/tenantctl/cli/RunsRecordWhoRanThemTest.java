package io.tenantctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A run records who started it (runs list's ACTOR, "another migrate-all is in progress (… started by …)"). A pod run
 * under an arbitrary uid with no passwd entry and no USER (OpenShift) was recorded as "?", Java's user.name for it.
 */
class RunsRecordWhoRanThemTest {

    @Test
    void aUidWithNoAccountIsRecordedByNumberNotAsAQuestionMark() {
        assertThat(CliContext.actor(Map.of("HOSTNAME", "tenantctl-backup-due-29-x7"), "?", () -> "uid-1000680000", () -> "ip-10-0-0-1"))
                .isEqualTo("uid-1000680000@tenantctl-backup-due-29-x7");
        assertThat(CliContext.actor(Map.of(), "?", () -> "uid-123456", () -> "")).isEqualTo("uid-123456");
        assertThat(CliContext.actor(Map.of("USER", ""), null, () -> "uid-7", () -> "")).isEqualTo("uid-7");
    }

    @Test
    void theUserComesFromTheEnvironmentFirstThenTheAccount() {
        assertThat(CliContext.actor(Map.of("USER", "alice", "LOGNAME", "bob", "HOSTNAME", "ops-1"), "root", () -> "uid-0", () -> "")).isEqualTo("alice@ops-1");
        assertThat(CliContext.actor(Map.of("LOGNAME", "bob"), "root", () -> "uid-0", () -> "")).as("cron sets LOGNAME").isEqualTo("bob");
        assertThat(CliContext.actor(Map.of("USERNAME", "carol"), "?", () -> "uid-0", () -> "")).isEqualTo("carol");
        assertThat(CliContext.actor(Map.of(), "tenantctl", () -> "uid-65532", () -> "")).isEqualTo("tenantctl");
    }

    /** bash does not export HOSTNAME, nor do cron and systemd set it: runs from cron hosts were all plain "root". */
    @Test
    void theHostIsTheMachinesOwnNameWhenHostnameIsNotSet() {
        assertThat(CliContext.actor(Map.of("USER", "root"), "root", () -> "uid-0", () -> "backup-vm-2\n")).isEqualTo("root@backup-vm-2");
        assertThat(CliContext.actor(Map.of("USER", "root", "HOSTNAME", "pod-7"), "root", () -> "uid-0", () -> "node-3"))
                .as("a pod's HOSTNAME names it, not its node").isEqualTo("root@pod-7");
    }
}
