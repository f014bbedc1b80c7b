package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * verify lists the orgs, checks each one (minutes on a large fleet), then judges which are stuck. An org that had been
 * provisioning (or restoring) for longer than --stuck-after under a live lease — a long operation at work — and whose
 * operation ended while the orgs were being checked was then reported "has been provisioning since … and nobody holds
 * it": a problem, exit 4, paging someone for an org that was active. The stuck check judges the org as it is then.
 */
class VerifyOfAnOrgWhoseProvisionEndsDuringTheRunTest {

    @Test
    void anOrgWhoseLongOperationEndedDuringTheChecksIsNotStuck(@TempDir Path dir) {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "slow");
            // a long provision of slow, at work on another host: provisioning for two hours under a live lease
            CliFixture.sql(f.catalogUrl, "update orgs set status = 'provisioning', updated_at = now() - interval '2 hours' where org_id = 'slow'");
            CliFixture.sql(f.catalogUrl, "insert into org_leases (org_id, holder, host, pid, operation, lease_until) values "
                    + "('slow', 'other-host:1:w', 'other-host', 1, 'provision', now() + interval '10 minutes')");
            AtomicBoolean ended = new AtomicBoolean();
            Cli cli = f.newCli().decoratePools(real -> MigrateAllFixture.hooked(real, (db, cmd) -> {
                // verify lists the pool's databases once it has listed the orgs: slow's provision ends now
                if (io.tenantctl.testing.HookedPools.is(cmd, "listDatabases") && ended.compareAndSet(false, true)) {
                    CliFixture.sql(f.catalogUrl, "update orgs set status = 'active', version = version + 1, updated_at = now() where org_id = 'slow'");
                    CliFixture.sql(f.catalogUrl, "delete from org_leases where org_id = 'slow'");
                }
            }));

            Cli.Result r = cli.run("verify", "-o", "json");

            assertThat(ended).as("slow's provision ended while verify was at work").isTrue();
            List<String> stuck = new ArrayList<>();
            for (JsonNode finding : strictJson(r).get("findings")) {
                if (finding.get("kind").asText().equals("org_stuck")) {
                    stuck.add(finding.get("org_id").asText());
                }
            }
            assertThat(stuck).as("%s", r).isEmpty();
        }
    }
}
