package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.tenantctl.cli.CliFixture.findings;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found that verify --deep's check_failed finding for an org whose newest backup went to another store
 * ("… was written to STORE, not to the store this verify reads: run it with --store STORE") gave the fix
 * "tenantctl verify --org acme   (after fixing what the error says)": no --deep, no --store. Pasted, that verify never
 * read the backup and closed the finding unchecked, and the next --deep reported it again as new. The fix is now the
 * verify that reads it, and a verify without --deep leaves the findings only --deep makes as they are.
 */
@Timeout(120)
class VerifyDeepOfABackupInAnotherStoreFixTest {

    @TempDir
    Path dir;

    @Test
    void theFixReadsTheBackupWhereItWasWritten_andAPlainVerifyDoesNotCloseIt() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String other = dir.resolve("other-store").toUri().toString();
            String otherShown = other.endsWith("/") ? other.substring(0, other.length() - 1) : other;
            CliFixture.ok(f.cli, "backup", "--org", "acme", "--store", other);

            JsonNode deep = verify(f.cli, "--deep", "--org", "acme");
            JsonNode finding = findings(deep, "check_failed").get(0);
            assertThat(finding.get("detail").asText()).contains("run it with --store " + otherShown);
            String fix = finding.get("fix").asText();
            assertThat(fix).as(deep.toPrettyString()).isEqualTo("tenantctl verify --deep --org acme --store " + otherShown);

            // a verify that does not read backups back did not look: the finding stays open, known to the next --deep
            verify(f.cli, "--org", "acme");
            JsonNode again = verify(f.cli, "--deep", "--org", "acme");
            assertThat(findings(again, "check_failed")).singleElement()
                    .satisfies(x -> assertThat(x.get("state").asText()).as(again.toPrettyString()).isEqualTo("known"));

            // pasted, the fix reads the backup where it is, and it is whole
            List<String> pasted = new ArrayList<>(Arrays.asList(fix.substring("tenantctl ".length()).split(" ")));
            pasted.addAll(List.of("-o", "json"));
            Cli.Result r = f.cli.run(pasted.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(findings(strictJson(r), "check_failed")).isEmpty();
        }
    }

    /**
     * A plain verify left open the findings only --deep makes by their fix's text ("tenantctl verify --deep …"): reworded,
     * it closed the unread one, and the next --deep reported it as new. Now the finding says so itself.
     */
    @Test
    void aPlainVerifyLeavesItOpenWhateverItsFixSays() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            CliFixture.ok(f.cli, "backup", "--org", "acme", "--store", dir.resolve("other-store").toUri().toString());
            VerifyFixDryRunLeavesForAHumanOnlyWhatFixLeavesTest.rewordFixes(f.catalogUrl, "tenantctl verify --deep --org",
                    "tenantctl verify --org acme --deep --org");

            JsonNode deep = verify(f.cli, "--deep", "--org", "acme");
            assertThat(findings(deep, "check_failed")).singleElement()
                    .satisfies(x -> assertThat(x.get("fix").asText()).as(deep.toPrettyString()).startsWith("tenantctl verify --org acme --deep"));
            verify(f.cli, "--org", "acme");
            JsonNode again = verify(f.cli, "--deep", "--org", "acme");
            assertThat(findings(again, "check_failed")).singleElement()
                    .satisfies(x -> assertThat(x.get("state").asText()).as(again.toPrettyString()).isEqualTo("known"));
        }
    }

    /** One a tenantctl before catalog version 19 recorded, upgraded by init: still left open by a plain verify. */
    @Test
    void oneFoundBeforeTheUpgradeStaysOpenToo() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            CliFixture.ok(f.cli, "backup", "--org", "acme", "--store", dir.resolve("other-store").toUri().toString());
            assertThat(findings(verify(f.cli, "--deep", "--org", "acme"), "check_failed")).hasSize(1);
            CliFixture.sql(f.catalogUrl, "alter table findings drop column only_deep_finds, drop column fix_puts_right"); // version 19's
            CliFixture.sql(f.catalogUrl, "alter table org_verifications drop column rules_version"); // version 20's
            CliFixture.sql(f.catalogUrl, "delete from flyway_schema_history where version in ('19', '20')");
            CliFixture.ok(f.cli, "init");

            verify(f.cli, "--org", "acme");
            JsonNode again = verify(f.cli, "--deep", "--org", "acme");
            assertThat(findings(again, "check_failed")).singleElement()
                    .satisfies(x -> assertThat(x.get("state").asText()).as(again.toPrettyString()).isEqualTo("known"));
        }
    }

    private static JsonNode verify(Cli cli, String... args) {
        List<String> all = new ArrayList<>(List.of("verify", "-o", "json"));
        all.addAll(List.of(args));
        return strictJson(cli.run(all.toArray(String[]::new)));
    }
}
