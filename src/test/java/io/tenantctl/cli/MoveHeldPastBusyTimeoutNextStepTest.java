package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a chaos soak: a 'rebalance apply' whose move waited past --busy-timeout for what held it (the org, under a
 * backup; or its target's move slot) failed it before it started, with the next step of a move whose source pool did
 * not answer: "tenantctl pools stats pool-2 (… once pool pool-2 answers: tenantctl rebalance plan, then …)". The pool
 * answered; that step leaves the org where it is. The next step of a move that waited past --busy-timeout is the run's
 * own --resume with --wait, and run as printed once the holder is done, it moves the org, every document with it.
 */
class MoveHeldPastBusyTimeoutNextStepTest {

    @TempDir
    Path dir;

    @Test
    void theNextStepOfAMoveThatWaitedPastBusyTimeoutMovesTheOrgWhenRun() throws Exception {
        try (BackupFixture f = new BackupFixture(3, dir, Map.of("TENANTCTL_STORE", dir.resolve("store").toUri().toString()), 10)) {
            f.provision("acme");
            f.seedNotes("acme", 100);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            String from = f.org("acme").get("pool_id").asText();
            ok(f.cli, "pools", "drain", from);
            f.heldBy("acme", "backup"); // a backup of acme, live, past the apply's --busy-timeout

            Cli.Result applied = f.cli.run("rebalance", "apply", "--busy-timeout", "0", "--freeze-grace", "0", "-o", "json");
            assertThat(applied.exitCode()).as(applied.toString()).isEqualTo(1);
            JsonNode failed = strictJson(applied).get("failed");
            assertThat(failed).as(applied.toString()).hasSize(1);
            assertThat(failed.get(0).get("error").asText()).contains("is busy: backup");
            String next = failed.get(0).get("next_step").asText();

            TestCatalog.execute(f.catalogUrl, "delete from org_leases where org_id = 'acme'"); // the backup is done
            CliFixture.followNextStep(f.cli, next);
            assertThat(f.org("acme").get("pool_id").asText()).as("following the next step (%s) moves acme off draining %s", next, from)
                    .isNotEqualTo(from);
            f.assertHolds("acme", before);
        }
    }
}
