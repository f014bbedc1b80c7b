package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup (a cron's backup --due, or --org) of an org a restore holds failed at once, "org is restoring: only active or
 * read_only orgs … are backed up", even with --wait: the org lost that night's backup. An org restoring or moving under
 * a live lease is now waited for like any busy org (--busy-timeout), and fails only past it, naming its holder; --all
 * selects it too.
 */
class BackupOfAnOrgBeingRestoredWaitsForItTest {

    @TempDir
    Path dir;

    @Test
    void anOrgARestoreHoldsIsWaitedForNotFailed() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.notes("acme", "notes", 10);
            sql(f, "update orgs set status = 'restoring' where org_id = 'acme'");
            sql(f, "insert into org_leases (org_id, holder, host, pid, operation, run_id, lease_until) "
                    + "values ('acme', 'other-host/4242/beef', 'other-host', 4242, 'restore', 'R1', now() + interval '5 minutes')");

            Cli.Result held = f.cli.run("backup", "--all", "--busy-timeout", "1", "-o", "json");
            assertThat(held.exitCode()).as(held.toString()).isEqualTo(1);
            JsonNode acme = null;
            for (JsonNode o : strictJson(held).get("orgs")) {
                if (o.get("org_id").asText().equals("acme")) {
                    acme = o;
                }
            }
            assertThat(acme).as("--all selects it: %s", held).isNotNull();
            assertThat(acme.get("error").asText()).as(acme.toString()).contains("restore").contains("other-host/4242/beef")
                    .doesNotContain("only active or read_only");

            // its restore done (active, lease gone): the same backup takes it
            sql(f, "delete from org_leases where org_id = 'acme'");
            sql(f, "update orgs set status = 'active' where org_id = 'acme'");
            JsonNode done = strictJson(ok(f.cli, "backup", "--org", "acme", "-o", "json"));
            assertThat(done.get("orgs").get(0).get("outcome").asText()).isEqualTo("backed_up");
        }
    }

    private static void sql(BackupFixture f, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(f.catalogUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
