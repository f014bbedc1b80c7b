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
        }
    }
}
