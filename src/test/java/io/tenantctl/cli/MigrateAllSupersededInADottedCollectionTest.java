package io.tenantctl.cli;

import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.SchemaCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.MigrateAllFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SchemaApply keys what a replacement has already taken as collection + "." + index name. Collection {@code users} with
 * index {@code profile.email} and collection {@code users.profile} with index {@code email} are both
 * "users.profile.email": once the first is rebuilt under a new name (it is superseded), the second — superseded in its
 * own collection — is taken for "already handled" and never dropped. The run exits 0, records v2 on the org, and the
 * org keeps an index its manifest drops: schema diff exits 4 and no later migrate-all selects the org again. The same
 * false "taken" also hides {@code users.profile.email} from the same-key search, so v2's {@code address_1} (on the key
 * {@code email} holds) is sent as a plain create next to it: the stand-in accepts the duplicate key, a real FerretDB or
 * MongoDB refuses it (85) and the org fails on every run although its manifest supersedes {@code email}.
 */
@Timeout(60)
class MigrateAllSupersededInADottedCollectionTest {

    private final MigrateAllFixture.Fleet fleet = new MigrateAllFixture.Fleet();

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void aSupersededIndexIsDroppedWhateverAnotherCollectionsIndexIsCalled(@TempDir Path dir) {
        Cli cli = fleet.provision(write(dir, "v1.json", """
                {"collections": [
                  {"name": "users", "indexes": [{"name": "profile.email", "key": {"email": 1}}]},
                  {"name": "users.profile", "indexes": [{"name": "email", "key": {"address": 1}}]}]}
                """), "acme");
        Path v2 = write(dir, "v2.json", """
                {"collections": [
                  {"name": "users", "indexes": [{"name": "email_1", "key": {"email": 1}}], "drop": ["profile.email"]},
                  {"name": "users.profile", "indexes": [{"name": "address_1", "key": {"address": 1}, "unique": true}], "drop": ["email"]}]}
                """);

        Cli.Result run = cli.run("migrate-all", "--schema", v2.toString(), "-o", "json");
        assertThat(run.exitCode()).as(run.toString()).isZero();

        assertThat(fleet.indexes("acme").get("users.profile")).as("users.profile after v2 (which drops 'email')")
                .doesNotContainKey("email");
        SchemaCheck.assertExactly(fleet.url, List.of("acme"), SchemaManifest.load(v2));
        Cli.Result diff = cli.run("schema", "diff", "acme", "--schema", v2.toString());
        assertThat(diff.exitCode()).as("schema diff after a successful rollout: %s", diff).isZero();
    }
}
