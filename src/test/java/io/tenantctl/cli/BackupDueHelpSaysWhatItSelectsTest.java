package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * backup --due selects active orgs whose newest complete backup will be older than their tier's frequency within the
 * hour (so the hourly schedule keeps a 4 h tier at 4 h, not 5) and suspended orgs with no backup since they were
 * suspended, as the README and BackupDueOnTheShippedScheduleTest say; its --help said "older than their tier's
 * frequency" and "active orgs" only, so an operator checking why an org 3 h 58 min from its last backup was taken, or
 * why a suspended one was, found --help saying it should not have been.
 */
class BackupDueHelpSaysWhatItSelectsTest {

    @Test
    void theHelpOfDueSaysWithinTheHourAndNamesSuspendedOrgs() {
        Cli.Result r = new Cli(Map.of()).run("backup", "--help");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String help = r.out().replaceAll("\\s+", " ");
        String due = help.substring(help.lastIndexOf("--due "));
        due = due.substring(0, due.indexOf(" --", 5));
        assertThat(due).as(due).contains("within the hour").contains("suspended");
    }
}
