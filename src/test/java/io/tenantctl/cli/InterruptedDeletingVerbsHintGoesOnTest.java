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
 * Red team (9138e77, the deleting verbs stop at Ctrl-C/SIGTERM): interrupted, {@code backups prune}, {@code orgs purge}
 * and {@code rebalance gc} say what they kept and how to go on — "'tenantctl backups prune' again goes on",
 * "'tenantctl orgs purge' again goes on", "'tenantctl rebalance gc' again goes on". The command they name is the bare
 * verb: the operator's flags are gone. Followed literally (README: the next steps printed must work when typed):
 * <ul>
 *   <li>a prune of one org with its own retention ({@code --org acme --keep-last 4}) goes on as a fleet-wide prune by
 *   the tier policy: it deletes backups of orgs the operator never named, and more of acme's than asked;</li>
 *   <li>a purge ({@code --older-than 0}) or gc ({@code --older-than 0}) goes on with the default 30d / 7d: nothing it
 *   kept is dropped, it exits 0 saying "purged 0 org(s)", and the deleted org stays {@code deleting} with its data.</li>
 * </ul>
 * "Goes on" must be the same command: the hint has to carry the flags the interrupted one was given.
 */
@Timeout(180)
class InterruptedDeletingVerbsHintGoesOnTest {

    @TempDir
    Path dir;

    @Test
    void pruneOfOneOrgInterruptedGoesOnAsThatPruneNotAFleetWideOne() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            for (int i = 0; i < 5; i++) {
                f.backup("acme");
                f.backup("globex");
            }

            // acme only, keeping its 4 newest; SIGTERM (the node drained, the shell closed) before it got to deleting
            Cli.Result r = f.cli.run(ctrlC(), "backups", "prune", "--org", "acme", "--keep-last", "4", "--keep-daily", "0");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);

            Cli.Result followed = f.cli.run(OnCallNextStepsTest.command(hint(r)));

            assertThat(followed.exitCode()).as("'%s', followed literally: %s", hint(r), followed).isZero();
            assertThat(backups(f, "globex")).as("globex was never named: following prune's own 'goes on' hint must not prune it (%s)",
                    followed).hasSize(5);
            assertThat(backups(f, "acme")).as("acme: the operator asked to keep its 4 newest (%s)", followed).hasSize(4);
        }
    }

    @Test
    void purgeInterruptedGoesOnWithItsOlderThan() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            ok(f.cli, "orgs", "delete", "acme");

            Cli.Result r = f.cli.run(ctrlC(), "orgs", "purge", "--older-than", "0");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);

            Cli.Result followed = f.cli.run(OnCallNextStepsTest.command(hint(r)));

            assertThat(followed.exitCode()).as("'%s', followed literally: %s", hint(r), followed).isZero();
            assertThat(f.databaseNames("pool-0")).as("the hint 'goes on' with the purge that was interrupted: %s", followed)
                    .doesNotContain("org_acme");
            assertThat(strictJson(ok(f.cli, "orgs", "show", "acme", "-o", "json")).get("status").asText()).isEqualTo("deleted");
        }
    }

    @Test
    void gcInterruptedGoesOnWithItsOlderThan() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            f.backup("acme");
            ok(f.cli, "restore", "--org", "acme"); // org_acme is retired, kept until gc

            Cli.Result r = f.cli.run(ctrlC(), "rebalance", "gc", "--older-than", "0");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(130);

            Cli.Result followed = f.cli.run(OnCallNextStepsTest.command(hint(r)));

            assertThat(followed.exitCode()).as("'%s', followed literally: %s", hint(r), followed).isZero();
            assertThat(f.databaseNames("pool-0")).as("the hint 'goes on' with the gc that was interrupted: %s", followed)
                    .doesNotContain("org_acme");
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
        cancel.cancel("SIGTERM");
        return cancel;
    }

    private static List<String> backups(BackupFixture f, String org) {
        List<String> out = new ArrayList<>();
        strictJson(ok(f.cli, "backups", "list", "--org", org, "-o", "json")).get("backups").forEach(b -> out.add(b.get("backup_id").asText()));
        return out;
    }
}
