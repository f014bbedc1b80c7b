package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * verify held every finding in memory until it had reported them: after recording them it read each one's history back
 * by id (a map of all of them), kept their ids, their rows and their fixes, and handed the CLI a list of them all, each
 * made again as reported — memory grew with the fleet's findings (every org missing an index: one each, or many). Under
 * -Xmx40m, 40,000 findings of 2,000 orgs (their run items recorded 20 each) ran out of memory: exit 1 and no finding
 * shown, where verify should exit 4 listing them (50,000 did under -Xmx48m). They are recorded as they are read, a page
 * at a time, and the report reads them back from the catalog as it is written (the same 50,000 reported under -Xmx40m).
 */
class VerifyOfManyFindingsHoldsNoneOfThemTest {

    private static final int ORGS = Integer.getInteger("verify.many.orgs", 2_000);
    private static final int EACH = 20;
    private static final String HEAP = "-Xmx" + Integer.getInteger("verify.many.heap", 40) + "m";

    @TempDir
    static Path dir;
    private static TestPools pools;
    private static Map<String, String> env;
    private static String url;
    private static Cli cli;

    /**
     * 2,000 active orgs, a verify run of them (--detach) whose every org's check recorded 20 missing indexes: what a
     * worker that ran it leaves, for its --resume to report.
     */
    @BeforeAll
    static void fleet() throws Exception {
        url = CliFixture.initialisedCatalog();
        pools = new TestPools(1);
        cli = Cli.withCatalog(url);
        CliFixture.addPool(cli, "pool-0", pools.uri(0), 2 * ORGS, 1);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("insert into orgs (org_id, pool_id, database_name, status, tier, updated_at) select 'org-' || lpad(g::text, 6, '0'), "
                    + "'pool-0', 'org_org_' || lpad(g::text, 6, '0'), 'active', 'free', now() from generate_series(1, " + ORGS + ") g");
        }
        env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall");
    }

    @AfterAll
    static void close() {
        pools.close();
    }

    /** A detached verify of the fleet, its every org checked by a worker that found 20 indexes missing. */
    private static String checkedRun() throws Exception {
        String run = strictJson(ok(cli, "verify", "--detach", "-o", "json")).get("run_id").asText();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("update run_items set status = 'succeeded', attempts = 1, millis = 5, detail = (select json_build_object('findings', "
                    + "json_agg(json_build_object('kind', 'schema_missing', 'severity', 'problem', 'subject', 'c' || g || '.ix_' || g, "
                    + "'detail', 'org ' || org_id || ' lacks 1 of its manifest''s collections/indexes: c' || g || '.ix_' || g, "
                    + "'fix', 'tenantctl verify --org ' || org_id || ' --fix', 'fix_note', 'creates what is missing', 'fix_text', "
                    + "'tenantctl verify --org ' || org_id || ' --fix   (creates what is missing)') order by g)) "
                    + "from generate_series(1, " + EACH + ") g)::jsonb where run_id = '" + run + "'");
        }
        return run;
    }

    @Test
    void fortyThousandFindingsAreOneJsonDocumentUnderASmallHeap() throws Exception {
        ChildJvm.Exit exit = verify("json", "--resume", checkedRun(), "-o", "json");
        try (Stream<String> lines = Files.lines(exit.stdout())) {
            assertThat(lines.filter(l -> l.contains("\"finding_id\"")).count()).as("findings listed").isEqualTo((long) ORGS * EACH);
        }
        assertThat(exit.out()).contains("\"problems\" : " + ORGS * EACH).contains("\"schema_missing\" : " + ORGS * EACH);
    }

    /** verify as the shipped process under a small heap: exit 4 (problems found), no stack trace. */
    private static ChildJvm.Exit verify(String name, String... args) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        List<String> line = new java.util.ArrayList<>(List.of("verify"));
        line.addAll(List.of(args));
        ChildJvm.Exit exit = ChildJvm.run(d, env, 300, List.of(HEAP, "-XX:+UseParallelGC"), Main.class.getName(), line.toArray(String[]::new));
        String err = exit.err();
        assertThat(err).as("no stack trace").doesNotContain("Exception in thread");
        assertThat(exit.code()).as("verify %s under %s: %s", String.join(" ", args), HEAP, err).isEqualTo(4);
        return exit;
    }
}
