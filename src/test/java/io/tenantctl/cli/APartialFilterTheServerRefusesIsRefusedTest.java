package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probing helper found manifests whose partialFilterExpression MongoDB refuses at createIndexes accepted by validation,
 * so every org of a rollout would fail: {"$exists": false} (a partial index takes only $exists: true) and a $type alias
 * MongoDB does not know (BadValue). They are refused as $ne is (exit 2, one line naming the index); an empty filter,
 * which MongoDB and DocumentDB build, and every $type it knows stay allowed.
 */
class APartialFilterTheServerRefusesIsRefusedTest {

    private final Cli cli = new Cli(Map.of("USER", "test"));

    private static Path manifest(Path dir, String filter) throws Exception {
        Path p = dir.resolve("x.json");
        Files.writeString(p, "{\"collections\":[{\"name\":\"a\",\"indexes\":[{\"name\":\"x\",\"key\":{\"code\":1},"
                + "\"partialFilterExpression\":" + filter + "}]}]}");
        return p;
    }

    @Test
    void existsFalseIsRefused(@TempDir Path dir) throws Exception {
        for (String filter : new String[]{"{\"w\":{\"$exists\":false}}", "{\"$and\":[{\"w\":{\"$exists\":0}}]}"}) {
            Cli.Result r = cli.run("schema", "show", "--schema", manifest(dir, filter).toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip()).as(r.toString()).doesNotContain("\n").contains("index 'x'").contains("$exists")
                    .contains("which MongoDB does not take in a partial index").contains("$exists: true");
        }
    }

    @Test
    void anUnknownTypeIsRefused(@TempDir Path dir) throws Exception {
        for (String filter : new String[]{"{\"code\":{\"$type\":\"nosuch\"}}", "{\"code\":{\"$type\":[\"string\",\"nosuch\"]}}",
                "{\"code\":{\"$type\":42}}"}) {
            Cli.Result r = cli.run("schema", "show", "--schema", manifest(dir, filter).toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err().strip()).as(r.toString()).doesNotContain("\n").contains("index 'x'").contains("$type")
                    .containsAnyOf("\"nosuch\"", "42");
        }
    }

    @Test
    void whatMongoDbBuildsStaysAllowed(@TempDir Path dir) throws Exception {
        for (String filter : new String[]{"{}", "{\"w\":{\"$exists\":true}}", "{\"code\":{\"$type\":\"string\"}}",
                "{\"code\":{\"$type\":[\"int\",\"long\",\"number\"]}}", "{\"code\":{\"$type\":2}}", "{\"code\":{\"$type\":-1}}"}) {
            Cli.Result r = cli.run("schema", "show", "--schema", manifest(dir, filter).toString());
            assertThat(r.exitCode()).as(filter + ": " + r).isZero();
        }
    }
}
