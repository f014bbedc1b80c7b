package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: {@code verify --fix --dry-run} said "would create … 1 index(es)" for an org missing an
 * index, and listed the same finding under "left for a human"; the real --fix created it and left nothing. The dry
 * run leaves for a human what the real run leaves.
 */
class VerifyFixDryRunLeavesForAHumanOnlyWhatFixLeavesTest {

    @TempDir
    Path dir;

    @Test
    void aFindingTheDryRunWouldFixIsNotLeftForAHuman() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme"); // no backup_stale: the missing index is the only problem
            f.db("acme").getCollection("users").dropIndex("tenant_1_role_1");

            Cli.Result dry = f.cli.run("verify", "--org", "acme", "--fix", "--dry-run", "-o", "json");
            JsonNode planned = strictJson(dry);
            assertThat(planned.get("fixed").toString()).as(dry.toString()).contains("org acme: would create 0 collections and 1 index");
            assertThat(planned.get("left_for_human")).as(dry.toString()).isEmpty();
            Cli.Result text = f.cli.run("verify", "--org", "acme", "--fix", "--dry-run");
            assertThat(text.out() + text.err()).doesNotContain("left for a human");

            Cli.Result real = f.cli.run("verify", "--org", "acme", "--fix", "-o", "json");
            assertThat(strictJson(real).get("left_for_human")).as(real.toString()).isEmpty();
            assertThat(f.cli.run("verify", "--org", "acme").exitCode()).isZero();
        }
    }

    /**
     * What the dry run plans was judged by the finding's fix text ("… --fix   (creates what is missing)"): reworded, the
     * finding the real --fix puts right was listed as left for a human. Now the finding says so itself.
     */
    @Test
    void aRewordedFixStillPlansWhatFixPutsRight() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            f.db("acme").getCollection("users").dropIndex("tenant_1_role_1");
            rewordFixes(f.catalogUrl, "creates what is missing", "builds every missing collection and index");

            Cli.Result dry = f.cli.run("verify", "--org", "acme", "--fix", "--dry-run", "-o", "json");
            JsonNode planned = strictJson(dry);
            assertThat(planned.get("findings").toString()).as(dry.toString()).contains("builds every missing collection and index");
            assertThat(planned.get("fixed").toString()).as(dry.toString()).contains("org acme: would create 0 collections and 1 index");
            assertThat(planned.get("left_for_human")).as(dry.toString()).isEmpty();
        }
    }

    /** Every fix verify records from now on reads {@code to} where it read {@code from}: as a tenantctl that words it otherwise. */
    static void rewordFixes(String catalogUrl, String from, String to) {
        CliFixture.sql(catalogUrl, "create function reword_fix() returns trigger language plpgsql as $$ begin "
                + "new.fix := replace(new.fix, '" + from + "', '" + to + "'); "
                + "new.fix_command := replace(new.fix_command, '" + from + "', '" + to + "'); "
                + "new.fix_note := replace(new.fix_note, '" + from + "', '" + to + "'); return new; end $$");
        CliFixture.sql(catalogUrl, "create trigger reword_fix before insert or update on findings for each row execute function reword_fix()");
    }

    /**
     * Found by a 3 a.m. audit: a move killed (kill -9) while frozen, past --stuck-after, is move_stuck. {@code verify
     * --fix --dry-run} said "dry run, not fixed: org acme: the move that held it died: it would be rolled back …" and
     * still listed the move_stuck finding as left for a human; the real --fix rolls the move back first and finds nothing.
     */
    @Test
    void aDeadMoveTheDryRunWouldRollBackIsNotLeftForAHuman() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.backup("acme"); // no backup_stale: the dead move is the only problem
            f.frozenByADeadMove("acme");

            Cli.Result dry = f.cli.run("verify", "--org", "acme", "--stuck-after", "1ms", "--fix", "--dry-run", "-o", "json");
            JsonNode planned = strictJson(dry);
            assertThat(planned.get("findings").toString()).as(dry.toString()).contains("move_stuck");
            assertThat(planned.get("fixed").toString()).as(dry.toString()).contains("the move that held it died");
            assertThat(planned.get("left_for_human")).as(dry.toString()).isEmpty();
            Cli.Result text = f.cli.run("verify", "--org", "acme", "--stuck-after", "1ms", "--fix", "--dry-run");
            assertThat(text.out() + text.err()).as(text.toString()).doesNotContain("left for a human");

            Cli.Result real = f.cli.run("verify", "--org", "acme", "--stuck-after", "1ms", "--fix", "-o", "json");
            assertThat(real.exitCode()).as(real.toString()).isZero();
            assertThat(strictJson(real).get("left_for_human")).as(real.toString()).isEmpty();
        }
    }
}
