package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A move retains acme's source on pool-0; acme lives in a database of the same name on pool-1. gc asks, with a probe,
 * whether the two pools are one server before it drops the source. With pool-1 down the probe failed, and a failed probe
 * counted as "the same server": gc said "kept … both pools are one server", forgot the retained source and marked the
 * move cleaned — the source untracked (a stray for verify, not revertable), and the dry run had written a probe too.
 * Now an undecided probe keeps the source recorded ({@code skipped}, exit 1), and the next gc, with both pools up, drops it.
 */
class GcWithAPoolDownKeepsTrackOfTheRetainedSourceTest {

    @TempDir
    Path dir;

    @Test
    void anUndecidedProbeKeepsTheSourceRecordedForTheNextGc() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 50);
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            String moveId = strictJson(ok(f.cli, "rebalance", "status", "-o", "json")).get(0).get("move_id").asText();
            // pool-1's registration spelt otherwise (localhost), then pointed nowhere: a probe is needed, and cannot be made
            ok(f.cli, "pools", "set-uri", "pool-1", "--uri", "mongodb://localhost:1/", "--force", "--allow-unreachable");
            Cli down = f.cli.quickToGiveUpOnDeadPools();

            JsonNode dry = strictJson(ok(down, "rebalance", "gc", "--older-than", "0", "--dry-run", "-o", "json"));
            assertThat(dry.get("items").get(0).get("action").asText()).as(dry.toString()).isEqualTo("would_drop");
            assertThat(dry.get("items").get(0).get("detail").asText()).contains("the real run checks");

            Cli.Result gc = down.run("rebalance", "gc", "--older-than", "0", "-o", "json");
            assertThat(gc.exitCode()).as(gc.toString()).isEqualTo(1);
            JsonNode item = strictJson(gc).get("items").get(0);
            assertThat(item.get("action").asText()).as(item.toString()).isEqualTo("skipped");
            assertThat(item.get("detail").asText()).contains("could not tell").contains("run gc again when both pools answer");
            assertThat(f.databaseNames("pool-0")).as("kept").contains("org_acme");
            assertThat(ok(f.cli, "rebalance", "status", moveId).out()).as("still retained, still revertable").contains("retained");

            ok(f.cli, "pools", "set-uri", "pool-1", "--uri", f.pools.uri(1).replace("127.0.0.1", "localhost"), "--force");
            JsonNode again = strictJson(ok(f.cli, "rebalance", "gc", "--older-than", "0", "-o", "json"));
            assertThat(again.get("items").get(0).get("action").asText()).as(again.toString()).isEqualTo("dropped");
            assertThat(f.databaseNames("pool-0")).doesNotContain("org_acme");
            assertThat(f.databaseNames("pool-1")).as("acme's live database").contains("org_acme");
        }
    }
}
