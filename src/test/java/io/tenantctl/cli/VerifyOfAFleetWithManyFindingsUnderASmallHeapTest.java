package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming (memory at scale, round two): verify holds every finding of the fleet in memory several times
 * over before it says anything. Verify.run keeps the whole catalog twice (orgs, and again in fleetChecks' strays), then
 * per finding a Seen, a FindingRepository.Finding row, the stored copy read back by FindingRepository.byId (one query
 * for every id, its detail and fix strings read again), the reported Finding and a leftForHuman line; only then does
 * VerifyCommand render. 50,000 orgs a cancelled provision left {@code provisioning} (no per-org check at all: the
 * findings come from the catalog alone) make a 33 MB JSON document; under -Xmx128m verify dies with "ran out of memory
 * (GC overhead limit exceeded)" — exit 1, not 4, and no finding shown — as -o json and as the table alike. The one
 * command whose job is to say what is wrong with the fleet says nothing exactly when a lot is wrong.
 */
@org.junit.jupiter.api.Tag("slow") // 50,000 orgs in a child JVM: 20-60 s on 2 cores
class VerifyOfAFleetWithManyFindingsUnderASmallHeapTest {

    private static final int ORGS = 50_000;

    @TempDir
    static Path dir;
    private static TestPools pools;
    private static Map<String, String> env;

    /** 50,000 orgs left provisioning two days ago, nobody holding them: one org_stuck finding each. */
    @BeforeAll
    static void fleet() throws Exception {
        String url = CliFixture.initialisedCatalog();
        pools = new TestPools(1);
        CliFixture.addPool(Cli.withCatalog(url), "pool-0", pools.uri(0), 2 * ORGS, 1);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("insert into orgs (org_id, pool_id, database_name, status, tier, updated_at) select 'org-' || lpad(g::text, 6, '0'), "
                    + "'pool-0', 'org_org_' || lpad(g::text, 6, '0'), 'provisioning', 'free', now() - interval '2 days' "
                    + "from generate_series(1, " + ORGS + ") g");
        }
        env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall");
    }

    @AfterAll
    static void close() {
        pools.close();
    }

    @Test
    void verifyOfFiftyThousandStuckOrgsIsOneJsonDocumentUnder128Mb() throws Exception {
        ChildJvm.Exit exit = verify("json", "-o", "json");
        JsonNode doc = CliFixture.strictJson(new Cli.Result(exit.code(), exit.out(), exit.err()));
        assertThat(doc.get("findings")).hasSize(ORGS);
        assertThat(doc.get("findings").get(0).get("kind").asText()).isEqualTo("org_stuck");
    }

    @Test
    void verifyOfFiftyThousandStuckOrgsShowsItsFindingsUnder128Mb() throws Exception {
        ChildJvm.Exit exit = verify("table");
        assertThat(exit.out()).contains("org_stuck").contains("org-050000");
    }

    /** verify as the shipped process under -Xmx128m: exit 4 (problems found), no stack trace. */
    private static ChildJvm.Exit verify(String name, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("verify"));
        args.addAll(List.of(extra));
        ChildJvm.Exit exit = ChildJvm.run(dir.resolve(name), env, 300, List.of("-Xmx128m", "-XX:+UseParallelGC"), Main.class.getName(),
                args.toArray(String[]::new));
        String err = exit.err();
        assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
        assertThat(exit.code()).as("verify %s under -Xmx128m: %s", String.join(" ", extra), err).isEqualTo(4);
        return exit;
    }
}
