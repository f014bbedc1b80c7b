package io.tenantctl.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Red team (restore from backups made with an older tenantctl): before 719125d, {@code backup} (the hourly
 * {@code backup --due}) of an org whose database was gone recorded a <em>complete</em> backup of 0 collections. That
 * commit stopped writing such backups, but the ones already taken are still there, recorded complete — and still the
 * org's newest. Readers take them as any other:
 * <ul>
 *   <li>{@code restore --org acme} (verify's missing_database fix, the on-call step) restores "0 documents", exit 0, and
 *   flips acme to an empty database: the org is active with nothing in it and the restore said it succeeded;</li>
 *   <li>{@code backups prune} keeps it as "newest restorable backup (always kept)" and the newest of its day, and deletes
 *   the older backup that holds acme's data as "outside retention".</li>
 * </ul>
 * A manifest that lists no collection restores nothing: it must count as not restorable, like a damaged one — refused by
 * restore's default naming it (the org left as it was), and never the reason prune deletes the backup that holds the data.
 */
@Timeout(180)
class RestoreOfABackupOfNothingTest {

    @TempDir
    Path dir;

    @Test
    void restoreWithoutBackupRefusesTheNewestWhenItHoldsNothing() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Fleet s = fleet(f);

            // verify's missing_database fix, as printed: "tenantctl restore --org acme (from its newest backup)"
            Cli.Result restore = f.cli.run("restore", "--org", "acme");

            assertThat(restore.exitCode()).as("a restore of a backup of nothing must not report success: %s", restore).isEqualTo(1);
            assertThat(restore.err()).as(restore.toString()).contains(s.nothing()).contains("'tenantctl restore --org acme --backup " + s.good() + "'");
            assertThat(f.org("acme").get("database_name").asText()).as("acme's pointer").isEqualTo("org_acme");

            // the hint, followed with the backup that holds the data, brings it back
            Cli.Result older = f.cli.run("restore", "--org", "acme", "--backup", s.good());
            assertThat(older.exitCode()).as(older.toString()).isZero();
            f.assertHolds("acme", s.data());
        }
    }

    @Test
    void pruneDoesNotDeleteTheBackupThatHoldsTheDataForABackupOfNothing() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Fleet s = fleet(f);

            Cli.Result prune = f.cli.run("backups", "prune", "--org", "acme");

            assertThat(prune.exitCode()).as(prune.toString()).isZero();
            assertThat(f.storeDir.resolve("acme").resolve(s.good()).resolve("manifest.json"))
                    .as("the only backup holding acme's data was pruned, the backup of nothing kept: %s", prune).exists();
        }
    }

    record Fleet(String good, String nothing, Map<String, List<RawBsonDocument>> data) {
    }

    /**
     * acme with 30 notes and a backup of them ({@code good}); then acme's database is lost and the scheduled backup of an
     * older tenantctl records complete backups of 0 collections (the newest: {@code nothing}), as 719125d describes.
     */
    private static Fleet fleet(BackupFixture f) throws Exception {
        f.provision("acme");
        f.notes("acme", "notes", 30);
        Map<String, List<RawBsonDocument>> data = BackupFixture.contents(f.db("acme"));
        String good = f.backup("acme");
        // the database is lost (a pool restored from an old snapshot, a mistaken dropDatabase) and, for the two weeks until
        // someone noticed, acme's weekly (free tier) 'backup --due' ran twice with the older tenantctl
        String first = f.backup("acme");
        String nothing = f.backup("acme");
        f.db("acme").drop();
        ofNothing(f, first);
        ofNothing(f, nothing);
        return new Fleet(good, nothing, data);
    }

    /** Makes backup {@code nothing} what the older tenantctl wrote: a manifest with no collections and no files, recorded complete. */
    private static void ofNothing(BackupFixture f, String nothing) throws Exception {
        Path dirOfNothing = f.storeDir.resolve("acme").resolve(nothing);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) mapper.readTree(dirOfNothing.resolve("manifest.json").toFile());
        manifest.putArray("collections");
        byte[] json = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        for (Path p : f.files("acme", nothing).values()) {
            Files.delete(p);
        }
        Files.write(dirOfNothing.resolve("manifest.json"), json);
        try (Connection c = DriverManager.getConnection(f.catalogUrl);
             PreparedStatement st = c.prepareStatement("update backups set sha256 = ?, docs = 0, bytes = 0 where backup_id = ?")) {
            st.setString(1, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json)));
            st.setString(2, nothing);
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
    }
}
