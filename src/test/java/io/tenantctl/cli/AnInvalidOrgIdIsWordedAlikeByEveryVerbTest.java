package io.tenantctl.cli;

import io.tenantctl.catalog.OrgId;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Left from an earlier session's notes: {@code orgs show 'BAD!'} said "no org named 'BAD!'" where {@code orgs suspend
 * 'BAD!'} said what an org id must match; restore and backups said it a third way. Every verb taking an org id now
 * refuses an invalid one in the OrgId validation's words (exit 2).
 */
class AnInvalidOrgIdIsWordedAlikeByEveryVerbTest {

    @TempDir
    Path dir;

    @Test
    void everyVerbTakingAnOrgIdRefusesABadOneInTheSameWords() {
        String url = CliFixture.initialisedCatalog();
        Cli cli = new Cli(Map.of("USER", "test", "TENANTCTL_CATALOG_URL", url, "TENANTCTL_STORE", dir.resolve("store").toUri().toString()));
        String words = OrgId.problem("BAD!");
        for (List<String> args : List.of(
                List.of("orgs", "show", "BAD!"), List.of("orgs", "suspend", "BAD!"), List.of("orgs", "resume", "BAD!"),
                List.of("orgs", "set-tier", "BAD!", "growth"), List.of("orgs", "delete", "BAD!"), List.of("orgs", "forget", "BAD!"),
                List.of("schema", "diff", "BAD!"), List.of("verify", "--org", "BAD!"), List.of("migrate-all", "--org", "BAD!"),
                List.of("backup", "--org", "BAD!"), List.of("restore", "--org", "BAD!"), List.of("backups", "list", "--org", "BAD!"),
                List.of("backups", "show", "20260101T000000Z-k3x9qa", "--org", "BAD!"), List.of("rebalance", "move", "BAD!", "--to", "p"),
                List.of("restore", "--org", "acme", "--to-org", "BAD!"))) {
            Cli.Result r = cli.run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).contains(words);
        }
    }
}
