package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The restore a refusal names for a deleted org ("tenantctl restore --org acme --to-org NEW_ID": restore's own, and
 * verify's of a deleted org) left out the --store typed on the line: pasted, it read TENANTCTL_STORE, another store that
 * has no backup of the org. It carries the typed store, as verify's fixes do, and restores the org's data as pasted.
 */
@Timeout(180)
class ARestoreSuggestedForADeletedOrgReadsTheStoreTypedTest {

    @TempDir
    Path dir;

    @Test
    void theRestoreNamedForADeletedOrgRestoresFromTheStoreTyped() {
        // TENANTCTL_STORE is another store, with no backup of acme: a suggestion without --store reads it
        try (BackupFixture f = new BackupFixture(1, dir, Map.of("TENANTCTL_STORE", dir.resolve("default-store").toUri().toString()))) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            Map<String, List<RawBsonDocument>> before = BackupFixture.contents(f.db("acme"));
            String store = f.storeDir.toUri().toString();
            CliFixture.ok(f.cli, "orgs", "delete", "acme", "--store", store); // its final backup, in the store typed

            Cli.Result refused = f.cli.run("restore", "--org", "acme", "--store", store);
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
            Cli.Result pasted = f.cli.run(suggested(refused.err(), "acme2"));
            assertThat(pasted.exitCode()).as(refused.err() + " pasted -> " + pasted).isZero();
            f.assertHolds("acme2", before);

            CliFixture.ok(f.cli, "orgs", "purge", "--older-than", "0s", "--store", store);
            Cli.Result verify = f.cli.run("verify", "--org", "acme", "--store", store);
            assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(2);
            Cli.Result fromVerify = f.cli.run(suggested(verify.err(), "acme3"));
            assertThat(fromVerify.exitCode()).as(verify.err() + " pasted -> " + fromVerify).isZero();
            f.assertHolds("acme3", before);
        }
    }

    /** The 'tenantctl restore …' a message names, up to the end of its clause, as pasted with NEW_ID filled in: its words. */
    private static String[] suggested(String message, String newId) {
        int at = message.indexOf("tenantctl restore --org");
        assertThat(at).as(message).isNotNegative();
        String cmd = message.substring(at).split("[;)\n]")[0].trim().replace("NEW_ID", newId);
        return cmd.substring("tenantctl ".length()).split(" +");
    }
}
