package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static io.tenantctl.cli.OnCallNextStepsTest.command;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Docs audit: "Every finding has … the exact command that fixes it". For a retained copy past its grace
 * ({@code retained_copy_overdue}) verify prints {@code tenantctl rebalance gc --older-than <grace in whole days>d}.
 */
@Timeout(120)
class VerifyRetainedCopyFixTest {

    @TempDir
    Path dir;

    private static void sql(String url, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static String fix(Cli.Result verify, String kind, String org) {
        for (JsonNode x : strictJson(verify).get("findings")) {
            if (x.get("kind").asText().equals(kind) && org.equals(x.path("org_id").asText())) {
                return x.get("fix").asText();
            }
        }
        throw new AssertionError("no " + kind + " finding for " + org + ": " + verify);
    }

    /**
     * {@code verify --retired-grace 12h} (documented option): the fix for an overdue copy is truncated to whole days,
     * {@code rebalance gc --older-than 0d}, which drops every retired database fleet-wide, also those retired minutes ago
     * that verify itself just called informational, inside the 12 h grace. Here that is the database an earlier restore
     * replaced, which holds the only copy of a write made after the backup the restore used.
     */
    @Test
    void theOverdueFixUnderAShortRetiredGraceDoesNotDropCopiesInsideThatGrace() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.backup("globex");
            ok(f.cli, "restore", "--org", "globex"); // org_globex retired ...
            sql(f.catalogUrl, "update retired_databases set retired_at = now() - interval '13 hours' where database_name = 'org_globex'");

            f.notes("acme", "notes", 3);
            f.backup("acme");
            f.db("acme").getCollection("notes").insertOne(new Document("_id", "late").append("text", "written after the backup"));
            ok(f.cli, "restore", "--org", "acme"); // org_acme, holding 'late', retired just now: inside any grace

            Cli.Result v = f.cli.run("verify", "--retired-grace", "12h", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            String fix = fix(v, "retained_copy_overdue", "globex");

            Cli.Result followed = f.cli.run(command(fix));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();
            assertThat(f.databaseNames("pool-0"))
                    .as("following '%s' must not drop acme's replaced database, which verify called within its 12 h grace:%n%s", fix, followed)
                    .contains("org_acme");
        }
    }

    /**
     * A move's retained source that a stale client wrote to after the move is kept by gc until the writes are merged
     * and {@code --drop-changed POOL/DATABASE} is passed. Past its grace verify reports it as a problem with the fix
     * {@code rebalance gc --older-than 7d}: followed, gc keeps it again (exit 0, "dropped 0"), and verify reports the
     * same finding with the same fix, forever. The fix must name what it takes: the merge and --drop-changed.
     */
    @Test
    void theOverdueFixForASourceWrittenSinceItsMoveSaysWhatClearsIt() throws Exception {
        try (BackupFixture f = new BackupFixture(2, dir)) {
            f.provision("acme");
            f.notes("acme", "a_notes", 10);
            ok(f.cli, "rebalance", "move", "acme", "--to", "pool-1", "--freeze-grace", "0");
            f.database("pool-0", "org_acme").getCollection("a_notes").insertOne(new Document("_id", "late order")); // stale routing
            sql(f.catalogUrl, "update retired_databases set retired_at = now() - interval '8 days' where database_name = 'org_acme'");

            Cli.Result v = f.cli.run("verify", "-o", "json");
            assertThat(v.exitCode()).as(v.toString()).isEqualTo(4);
            String fix = fix(v, "retained_copy_overdue", "acme");
            Cli.Result followed = f.cli.run(command(fix));
            assertThat(followed.exitCode()).as(followed.toString()).isZero();

            Cli.Result again = f.cli.run("verify", "-o", "json");
            boolean resolved = strictJson(again).get("findings").findValuesAsText("kind").stream().noneMatch("retained_copy_overdue"::equals);
            assertThat(resolved || fix(again, "retained_copy_overdue", "acme").contains("--drop-changed pool-0/org_acme"))
                    .as("after following '%s' (%s) the finding is either gone or its fix says what gc needs:%n%s", fix, followed.out(), again)
                    .isTrue();
            assertThat(f.databaseNames("pool-0")).as("the late write is still kept").contains("org_acme");
        }
    }
}
