package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: Ctrl-C on {@code pools stats}, {@code rebalance plan} and {@code orgs adopt --discover},
 * which read every org's database of a pool, printed "interrupted: taking no new orgs…", then read on to the end and
 * exited 0 with a whole document, as if nothing had been asked. Each stops at its next read: exit 130 and one JSON
 * error document that says it was interrupted.
 */
class ReadingVerbsHonourCtrlCTest {

    @TempDir
    Path dir;

    @Test
    void poolsStatsRebalancePlanAndDiscoverStopOnCtrlC() {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme", "globex");
            f.database("pool-0", "legacy_app").getCollection("notes").insertOne(new Document("_id", 1)); // for --discover
            for (List<String> command : List.of(List.of("pools", "stats"), List.of("rebalance", "plan"),
                    List.of("orgs", "adopt", "--discover", "--pool", "pool-0"))) {
                Cli.Result whole = f.cli.run(concat(command, "-o", "json"));
                assertThat(whole.exitCode()).as("%s", whole).isZero();

                CancelToken ctrlC = new CancelToken();
                ctrlC.cancel("SIGINT"); // pressed while it read
                Cli.Result r = f.cli.run(ctrlC, concat(command, "-o", "json"));

                assertThat(r.exitCode()).as("%s", r).isEqualTo(130);
                JsonNode error = strictJson(r).get("error");
                assertThat(error.get("category").asText()).as("%s", r).isEqualTo("interrupted");
                assertThat(error.get("message").asText()).startsWith("interrupted while");
            }
        }
    }

    private static String[] concat(List<String> command, String... more) {
        return java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of(more)).toArray(String[]::new);
    }
}
