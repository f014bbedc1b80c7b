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

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by red-teaming (memory and scale): the fleet-sized read commands hold every row, then the whole JSON document,
 * in memory. OrgsListCommand / BackupsListCommand / RunsShowCommand take a List of every row (the PostgreSQL driver
 * itself buffers the whole result set first: Sql.query sets no fetch size), map them to views, and Output.json renders
 * them with writeValueAsString — a String of the whole document, then printed. 50,000 orgs is a 15.6 MB document that
 * needs ~160 MB of heap; under -Xmx64m each command dies with an OutOfMemoryError that escapes main: a JVM stack trace,
 * exit 1, and no JSON document on stdout at all.
 */
@org.junit.jupiter.api.Tag("slow") // hundreds of MB or 50,000 rows in a child JVM
class FleetListingsUnderASmallHeapTest {

    private static final int ROWS = 50_000;
    private static final String RUN = "20260101T000000Z-aaaaaa";

    @TempDir
    static Path dir;
    private static TestPools pools;
    private static Map<String, String> env;

    /** 50,000 active orgs, one backup run with an item (failed, with its error) for each, and a complete backup of each. */
    @BeforeAll
    static void fleet() throws Exception {
        String url = CliFixture.initialisedCatalog();
        pools = new TestPools(1);
        CliFixture.addPool(Cli.withCatalog(url), "pool-0", pools.uri(0), 2 * ROWS, 1);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("insert into orgs (org_id, pool_id, database_name, status, tier) select 'org-' || lpad(g::text, 6, '0'), 'pool-0', "
                    + "'org_org_' || lpad(g::text, 6, '0'), 'active', 'free' from generate_series(1, " + ROWS + ") g");
            s.execute("insert into runs (run_id, verb, args, status, actor, finished_at) values ('" + RUN + "', 'backup', '{}', 'failed', "
                    + "'oncall', now())");
            s.execute("insert into run_items (run_id, org_id, status, attempts, millis, error, pool_id, seq) select '" + RUN + "', "
                    + "'org-' || lpad(g::text, 6, '0'), 'failed', 3, 1234, 'backup 20260101T000000Z-abcdef abandoned: reading collection "
                    + "messages failed after 1000 documents: Prematurely reached end of stream', 'pool-0', g from generate_series(1, " + ROWS + ") g");
            s.execute("insert into backups (backup_id, org_id, location, pool_id, database_name, status, started_at, finished_at, docs, bytes, sha256) "
                    + "select '20260101T' || to_char(timestamp '2026-01-01' + g * interval '1 second', 'HH24MISS') || 'Z-abcdef', 'org-' || lpad(g::text, 6, '0'), 'file:///store/org-' || g, "
                    + "'pool-0', 'org_org_' || lpad(g::text, 6, '0'), 'complete', now(), now(), 10, 100, repeat('ab', 32) "
                    + "from generate_series(1, " + ROWS + ") g");
        }
        Files.createDirectories(dir.resolve("store"));
        env = Map.of("TENANTCTL_CATALOG_URL", url, "USER", "oncall", "TENANTCTL_STORE", dir.resolve("store").toUri().toString());
    }

    @AfterAll
    static void close() {
        pools.close();
    }

    @Test
    void orgsListOfFiftyThousandOrgsIsOneJsonDocumentUnder64Mb() throws Exception {
        JsonNode list = json("orgs-list", "orgs", "list", "-o", "json");
        assertThat(list.get("orgs")).hasSize(ROWS);
    }

    @Test
    void runsShowOfARunOfFiftyThousandOrgsIsOneJsonDocumentUnder64Mb() throws Exception {
        JsonNode run = json("runs-show", "runs", "show", RUN, "-o", "json");
        assertThat(run.get("items")).hasSize(ROWS);
        assertThat(run.get("items").get(0).get("error").asText()).contains("Prematurely reached end of stream");
    }

    @Test
    void backupsListOfFiftyThousandBackupsIsOneJsonDocumentUnder64Mb() throws Exception {
        JsonNode list = json("backups-list", "backups", "list", "-o", "json");
        assertThat(list.toString()).contains("20260101T050000Z-abcdef");
    }

    /**
     * The table form too: it held every entry, then every row of cells, to size its columns (300,000 backups, a retention's
     * worth of 10,000 orgs, ran out of memory under -Xmx256m while -o json streamed them under -Xmx32m).
     */
    @Test
    void backupsListTableOfFiftyThousandBackupsUnder32Mb() throws Exception {
        // half the -o json tests' heap: -o json streams these 50,000 under it (and 300,000), and the table held them
        ChildJvm.Exit exit = ChildJvm.run(dir.resolve("backups-list-table"), env, 300, List.of("-Xmx32m", "-XX:+UseParallelGC"),
                Main.class.getName(), "backups", "list");
        assertThat(exit.err()).as("tenantctl backups list: no stack trace").doesNotContain("Exception in thread");
        assertThat(exit.code()).as("tenantctl backups list: %s", exit.err()).isZero();
        List<String> lines = exit.out().lines().toList();
        assertThat(lines).hasSize(ROWS + 1);
        assertThat(lines.get(0)).startsWith("ORG ");
        // one column width for every row: the backup column starts where the header's does
        int backupColumn = lines.get(0).indexOf("BACKUP");
        assertThat(lines.get(1).indexOf("20260101T")).isEqualTo(backupColumn);
        assertThat(lines.get(ROWS).indexOf("20260101T")).isEqualTo(backupColumn);
    }

    /** The command as the shipped process under -Xmx64m (4× the document it prints): exit 0 and exactly one JSON document. */
    private static JsonNode json(String name, String... args) throws Exception {
        ChildJvm.Exit exit = ChildJvm.run(dir.resolve(name), env, 300, List.of("-Xmx64m", "-XX:+UseParallelGC"), Main.class.getName(), args);
        String err = exit.err();
        assertThat(err).as("tenantctl %s: no stack trace", String.join(" ", args)).doesNotContain("Exception in thread");
        assertThat(exit.code()).as("tenantctl %s: %s", String.join(" ", args), err).isZero();
        return CliFixture.strictJson(new Cli.Result(exit.code(), exit.out(), err));
    }
}
