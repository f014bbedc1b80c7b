package io.tenantctl.cli;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by probing: {@code tenantctl -o <TAB>} offered "text json" (text is refused by -o; table never offered). picocli
 * names a completion array after the option's label, and --output and --log-format were both FORMAT: in each function of
 * the script the second declaration won. Read as bash reads it, each option offers its own values.
 */
class CompletionOfOutputOffersItsOwnValuesTest {

    private static final Pattern ARRAY = Pattern.compile("local (\\w+_option_args)=\\(([^)]*)\\)");

    @Test
    void outputOffersTableAndJsonAndLogFormatTextAndJsonInEveryCommand() {
        String script = Completions.bash();
        int functions = 0;
        for (String function : script.split("\nfunction ")) {
            if (!function.contains("'--log-format')")) {
                continue;
            }
            functions++;
            Map<String, String> arrays = new HashMap<>(); // as bash has them: a later local of the same name wins
            Matcher m = ARRAY.matcher(function);
            while (m.find()) {
                arrays.put(m.group(1), m.group(2));
            }
            assertThat(arrays.get(offered(function, "'-o'|'--output')"))).as(function).isEqualTo("\"table\" \"json\"");
            assertThat(arrays.get(offered(function, "'--log-format')"))).as(function).isEqualTo("\"text\" \"json\"");
        }
        assertThat(functions).as("every command has the global options").isGreaterThan(10);
    }

    /** The array the case for {@code label} completes from. */
    private static String offered(String function, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + "\\s+local IFS=\\$'\\\\n'\\s+COMPREPLY=\\( \\$\\( compReplyArray \"\\$\\{(\\w+)\\[@]}\"")
                .matcher(function);
        assertThat(m.find()).as(label + " in\n" + function).isTrue();
        return m.group(1);
    }
}
