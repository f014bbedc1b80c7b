package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code orgs purge --dry-run} read the databases earlier purges handed over but did not drop (every deleted org's retired
 * database, from the catalog) once to check the orgs --drop-changed names, then again to report them: a dry run hands
 * nothing over, so the second read could only find what the first did. It reads them once, and says what it said.
 */
class PurgeDryRunReadsWhatEarlierPurgesLeftOnceTest {

    /** The driver's log of what it sends: each statement it parses, with its SQL. */
    private static final Logger WIRE = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");

    @TempDir
    Path dir;

    @Test
    void aDryRunReadsTheLeftoversOnceForItsCheckAndItsReport() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.handedOverByAPurgeThatDidNotDrop("beta"); // deleted, its database left on pool-0
            f.provision("acme");
            f.notes("acme", "notes", 5);
            ok(f.cli, "orgs", "delete", "acme"); // deleting, due with --older-than 0

            List<String> sent = new ArrayList<>();
            Cli.Result json = counted(sent, () -> f.cli.run("orgs", "purge", "--older-than", "0", "--dry-run", "--drop-changed", "beta",
                    "-o", "json"));

            assertThat(json.exitCode()).as(json.toString()).isZero();
            List<String> items = new ArrayList<>();
            strictJson(json).get("orgs").forEach(i -> items.add(i.get("org_id").asText() + " " + i.get("action").asText() + " "
                    + i.get("database_name").asText() + " " + text(i.get("detail"))));
            assertThat(items).containsExactly("acme would_drop org_acme null", "beta would_drop org_beta left by an earlier purge");
            assertThat(sent).as("reads of the databases earlier purges left, by one dry run").hasSize(1);

            Cli.Result text = f.cli.run("orgs", "purge", "--older-than", "0", "--dry-run", "--drop-changed", "beta");
            assertThat(text.exitCode()).as(text.toString()).isZero();
            assertThat(text.out()).contains("left by an earlier purge").contains("dry run: would drop 2 databases; nothing written");

            assertThat(f.databaseNames("pool-0")).contains("org_acme", "org_beta");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleting");
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "null" : n.asText();
    }

    /** {@code run}'s result; {@code sent} the leftovers' reads this thread sent to the catalog meanwhile. */
    private static Cli.Result counted(List<String> sent, java.util.function.Supplier<Cli.Result> run) {
        Thread self = Thread.currentThread();
        SimpleFormatter format = new SimpleFormatter();
        Handler parses = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String m = format.formatMessage(r);
                if (Thread.currentThread() == self && m.contains("FE=> Parse") && m.contains("from retired_databases where (cast(")) {
                    sent.add(m);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        parses.setLevel(Level.ALL);
        Level was = WIRE.getLevel();
        WIRE.setLevel(Level.FINEST);
        WIRE.addHandler(parses);
        try {
            return run.get();
        } finally {
            WIRE.removeHandler(parses);
            WIRE.setLevel(was);
        }
    }
}
