package io.tenantctl.cli;

import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The verbs that delete in a loop over orgs or databases — {@code backups prune}, {@code rebalance gc}, {@code orgs
 * purge} — and Ctrl-C / SIGTERM. The signal handler tells the operator "interrupted: taking no new orgs"; README:
 * exit 130 = interrupted. An operator who runs a fleet-wide prune or gc and at once sees the flags were wrong (a
 * {@code --keep-last 0} meant for one org, an {@code --older-than 0} meant as a dry run) presses Ctrl-C while the command
 * is still listing the store or the pools: nothing more may be deleted, and the exit code must say it was interrupted.
 * Here the Ctrl-C comes before the first delete (the token is cancelled as the command starts, as while it listed).
 */
@Timeout(180)
class DeletingVerbsHonourCtrlCTest {

    @TempDir
    Path dir;

    @Test
    void pruneInterruptedBeforeItsFirstDeleteDeletesNothing() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            for (String org : List.of("acme", "globex")) {
                f.backup(org);
                f.backup(org);
                f.backup(org);
            }

            interrupted(f, "backups", "prune", "--keep-last", "1", "--keep-daily", "0");

            assertThat(backups(f, "acme")).as("Ctrl-C came before any delete: acme keeps its 3 backups").hasSize(3);
            assertThat(backups(f, "globex")).as("Ctrl-C came before any delete: globex keeps its 3 backups").hasSize(3);
        }
    }

    @Test
    void gcInterruptedBeforeItsFirstDropDropsNothing() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            acmeRetired(f);
            assertThat(f.databaseNames("pool-0")).contains("org_acme");

            interrupted(f, "rebalance", "gc", "--older-than", "0");

            assertThat(f.databaseNames("pool-0")).as("Ctrl-C came before any drop: the retired org_acme is kept").contains("org_acme");
        }
    }

    @Test
    void purgeInterruptedBeforeItsFirstDropDropsNothing() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            acmeDeleted(f);
            assertThat(f.databaseNames("pool-0")).contains("org_acme");

            interrupted(f, "orgs", "purge", "--older-than", "0");

            assertThat(f.databaseNames("pool-0")).as("Ctrl-C came before any drop: deleting org acme's database is kept").contains("org_acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
        }
    }

    // Interrupted, they say how to go on: the same command, with the flags the operator gave.

    @Test
    void pruneOfOneOrgInterruptedGoesOnAsThatPruneNotAFleetWideOne() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            for (int i = 0; i < 5; i++) {
                f.backup("acme");
                f.backup("globex");
            }

            // acme only, keeping its 4 newest; SIGTERM (the node drained, the shell closed) before it got to deleting
            Cli.Result followed = interruptedThenFollowed(f, "backups", "prune", "--org", "acme", "--keep-last", "4", "--keep-daily", "0");

            assertThat(backups(f, "globex")).as("globex was never named: following prune's own 'goes on' hint must not prune it (%s)",
                    followed).hasSize(5);
            assertThat(backups(f, "acme")).as("acme: the operator asked to keep its 4 newest (%s)", followed).hasSize(4);
        }
    }

    @Test
    void purgeInterruptedGoesOnWithItsOlderThan() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            acmeDeleted(f);

            Cli.Result followed = interruptedThenFollowed(f, "orgs", "purge", "--older-than", "0");

            assertThat(f.databaseNames("pool-0")).as("the hint 'goes on' with the purge that was interrupted: %s", followed)
                    .doesNotContain("org_acme");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleted");
        }
    }

    /**
     * A purge given its store on the line (no TENANTCTL_STORE), interrupted, said "'tenantctl orgs purge --older-than 0d'
     * again goes on": followed, that purge had no store to look for the final backup in and kept the org (exit 1). It
     * goes on in the store it was given, as prune's does.
     */
    @Test
    void purgeInterruptedGoesOnInTheStoreItWasGiven() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            acmeDeleted(f);
            String store = f.storeDir.toUri().toString().replaceAll("/$", "");
            Cli noStore = new Cli(java.util.Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test"));

            Cli.Result r = noStore.run(ctrlC(), "orgs", "purge", "--older-than", "0", "--store", store, "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
            String next = strictJson(r).get("next").asText();
            assertThat(hint(r)).as("the stderr line names the same command as the JSON's next").isEqualTo(next);

            Cli.Result followed = noStore.run(OnCallNextStepsTest.command(next));
            assertThat(followed.exitCode()).as("'%s', followed literally: %s", next, followed).isZero();
            assertThat(f.databaseNames("pool-0")).as("the purge it goes on with looks in the store given: %s", followed)
                    .doesNotContain("org_acme");
        }
    }

    @Test
    void gcInterruptedGoesOnWithItsOlderThan() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            acmeRetired(f);

            Cli.Result followed = interruptedThenFollowed(f, "rebalance", "gc", "--older-than", "0");

            assertThat(f.databaseNames("pool-0")).as("the hint 'goes on' with the gc that was interrupted: %s", followed)
                    .doesNotContain("org_acme");
        }
    }

    @Test
    void pruneInterruptedGoesOnInTheStoreItWasGivenNotTheDefaultOne() throws java.io.IOException {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String other = dir.resolve("other").toUri().toString(); // --store typed on the line, not TENANTCTL_STORE
            for (int i = 0; i < 3; i++) {
                f.backup("acme");
                f.backup("acme", "--store", other);
            }

            Cli.Result r = interrupted(f, "backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0",
                    "--store", other, "-o", "json");
            String next = strictJson(r).get("next").asText();
            assertThat(next).as("the JSON's next goes on in the store given: %s", r).contains("--store " + other);
            assertThat(hint(r)).as("the stderr line names the same command as the JSON's next").isEqualTo(next);

            Cli.Result followed = f.cli.run(OnCallNextStepsTest.command(next));

            assertThat(followed.exitCode()).as("'%s', followed literally: %s", next, followed).isZero();
            assertThat(completeIn(dir.resolve("other"), "acme")).as("the interrupted prune's store is pruned to its newest: %s", followed)
                    .isEqualTo(1);
            assertThat(completeIn(f.storeDir, "acme")).as("TENANTCTL_STORE was not the store interrupted: untouched (%s)", followed)
                    .isEqualTo(3);
        }
    }

    /** acme with 10 notes, backed up and restored: org_acme is retired, kept until gc. */
    private static void acmeRetired(BackupFixture f) {
        f.provision("acme");
        f.notes("acme", "notes", 10);
        f.backup("acme");
        ok(f.cli, "restore", "--org", "acme");
    }

    /** acme with 10 notes, deleted: its database kept until purge. */
    private static void acmeDeleted(BackupFixture f) {
        f.provision("acme");
        f.notes("acme", "notes", 10);
        ok(f.cli, "orgs", "delete", "acme");
    }

    /** {@code args} run after Ctrl-C: exit 130. */
    private static Cli.Result interrupted(BackupFixture f, String... args) {
        Cli.Result r = f.cli.run(ctrlC(), args);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);
        return r;
    }

    /** {@code args} run after Ctrl-C (exit 130), then the command its "again goes on" line names, run as pasted: exit 0. */
    private static Cli.Result interruptedThenFollowed(BackupFixture f, String... args) {
        Cli.Result r = interrupted(f, args);
        Cli.Result followed = f.cli.run(OnCallNextStepsTest.command(hint(r)));
        assertThat(followed.exitCode()).as("'%s', followed literally: %s", hint(r), followed).isZero();
        return followed;
    }

    /** The org's backup folders in a file store's directory that hold a manifest.json. */
    private static long completeIn(Path store, String org) throws java.io.IOException {
        try (var s = java.nio.file.Files.list(store.resolve(org))) {
            return s.filter(b -> java.nio.file.Files.exists(b.resolve("manifest.json"))).count();
        }
    }

    /** The command the "interrupted: … '…' again goes on" line on stderr names. */
    private static String hint(Cli.Result r) {
        Matcher m = Pattern.compile("interrupted: .*'(tenantctl [^']*)' again goes on").matcher(r.err());
        assertThat(m.find()).as("an 'interrupted: … again goes on' line naming the command: %s", r).isTrue();
        return m.group(1);
    }

    /** A token as Ctrl-C leaves it: cancelled. */
    private static CancelToken ctrlC() {
        CancelToken cancel = new CancelToken();
        cancel.cancel("SIGINT");
        return cancel;
    }

    private static List<String> backups(BackupFixture f, String org) {
        List<String> out = new ArrayList<>();
        strictJson(ok(f.cli, "backups", "list", "--org", org, "-o", "json")).get("backups").forEach(b -> out.add(b.get("backup_id").asText()));
        return out;
    }
}
