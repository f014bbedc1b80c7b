package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.ServerAddress;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.HookedPools;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a pool that answers its ping but not {@code listDatabases} (a hung stand-in; a FerretDB
 * whose PostgreSQL is stuck) held verify for over ten minutes. Each org of that pool listed its databases anew, every
 * listing spending its retries on the socket timeout (60 s each). Verify lists a pool once: once it has failed, the
 * pool's other orgs fail at once with the same error, and the pool is one finding.
 */
class VerifyOfAPoolThatStopsAnsweringTest {

    @Test
    void aPoolWhoseListingFailsIsListedOnceNotOncePerOrg(@TempDir Path dir) {
        try (TestPools pools = new TestPools(1)) {
            Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
            CliFixture.addPool(cli, "pool-a", pools.uri(0), 10, 1);
            List<String> ids = CliFixture.ids("o-", 0, 5);
            List<String> provision = new ArrayList<>(List.of("provision"));
            provision.addAll(ids);
            provision.addAll(List.of("--schema", CliFixture.smallSchema(dir).toString()));
            ok(cli, provision.toArray(String[]::new));

            AtomicInteger listings = new AtomicInteger();
            Cli hung = cli.decoratePools(real -> HookedPools.onCommand(real, (db, cmd) -> {
                if (HookedPools.is(cmd, "listDatabases")) {
                    listings.incrementAndGet();
                    throw new MongoSocketReadTimeoutException("Timed out while receiving message", new ServerAddress(),
                            new SocketTimeoutException("Read timed out"));
                }
            }));
            Cli.Result r = hung.run("verify", "-o", "json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            JsonNode out = strictJson(r);
            assertThat(out.get("failed")).as(r.toString()).hasSize(ids.size());
            assertThat(listings.get()).as("one listing's tries (6), not one listing per org: %s", r).isLessThanOrEqualTo(6);

            // -o json's orgs[] and failed[] are read from the run's items a page at a time as they are written; with
            // --metrics-file the report holds every line: the same document either way, field for field in the same order
            // (each --resume checks the failed orgs again: their times and attempts are its own)
            String run = out.get("run_id").asText();
            JsonNode streamed = strictJson(hung.run("verify", "--resume", run, "-o", "json"));
            JsonNode held = strictJson(hung.run("verify", "--resume", run, "-o", "json", "--metrics-file", dir.resolve("verify.prom").toString()));
            assertThat(fieldNames(streamed)).isEqualTo(fieldNames(held)).startsWith("run_id", "verb", "status", "counts", "p50_ms", "p95_ms",
                    "max_ms", "orgs");
            for (String field : List.of("run_id", "verb", "status", "counts", "orgs", "failed", "problems")) {
                assertThat(withoutTimes(streamed.get(field))).as(field).isEqualTo(withoutTimes(held.get(field)))
                        .isEqualTo(withoutTimes(out.get(field)));
            }
            assertThat(streamed.get("orgs")).hasSize(ids.size());
            JsonNode first = streamed.get("failed").get(0);
            assertThat(fieldNames(first)).containsExactly("org_id", "pool_id", "error", "next_step", "next_note");
            assertThat(List.of(first.get("org_id").asText(), first.get("error").asText(), first.get("next_step").asText()))
                    .containsExactly("o-0", "Timed out while receiving message: Read timed out", "tenantctl verify --org o-0");
            assertThat(first.get("next_note").isNull()).isTrue();
        }
    }

    private static List<String> fieldNames(JsonNode doc) {
        List<String> names = new ArrayList<>();
        doc.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** {@code node} with each org line's ms and attempts left out. */
    private static JsonNode withoutTimes(JsonNode node) {
        JsonNode copy = node.deepCopy();
        copy.forEach(line -> {
            if (line instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                o.remove(List.of("ms", "attempts"));
            }
        });
        return copy;
    }
}
