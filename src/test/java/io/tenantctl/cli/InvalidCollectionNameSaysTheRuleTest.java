package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: a 300-letter collection name was refused (rightly) with "invalid collection name (letters, digits,
 * _ . -; not system.*)", which it satisfies: the length limit and the rule for the first character were not said. The
 * message now states the whole rule and which part failed.
 */
class InvalidCollectionNameSaysTheRuleTest {

    private final Cli cli = new Cli(Map.of("USER", "test"));

    private Cli.Result show(Path dir, String name) throws Exception {
        Path p = dir.resolve("m.json");
        Files.writeString(p, "{\"collections\":[{\"name\":\"" + name + "\"}]}");
        return cli.run("schema", "show", "--schema", p.toString());
    }

    @Test
    void eachRefusalStatesTheWholeRuleAndWhatFailed(@TempDir Path dir) throws Exception {
        String[][] cases = {
                {"c".repeat(300), "it has 300 characters"},
                {"1abc", "first character '1'"},
                {"a b", "character ' '"},
                {"system.x", "it is a system.* name"},
                {"", "empty"},
        };
        for (String[] c : cases) {
            Cli.Result r = show(dir, c[0]);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).as(r.toString()).contains("invalid collection name").contains("1-120 characters")
                    .contains("the first an ASCII letter or _").contains("ASCII letters, digits, _ . -").contains("not system.*")
                    .contains(c[1]);
        }
        Cli.Result ok = show(dir, "_a.b-c" + "x".repeat(114));
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
    }

    /** A probing helper's 'ünï' was refused as "its first character 'ü' is not a letter or _": it is one, only not ASCII. */
    @Test
    void aNonAsciiLetterIsRefusedAsNotAnAsciiLetter(@TempDir Path dir) throws Exception {
        Cli.Result r = show(dir, "ünï");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).as(r.toString()).contains("its first character 'ü' is not an ASCII letter or _")
                .contains("the first an ASCII letter or _; ASCII letters, digits, _ . -");
    }
}
