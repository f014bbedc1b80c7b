package io.tenantctl.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CompletionsTest {

    @Test
    void committedCompletionScriptMatchesTheCommandModel() throws Exception {
        String committed = Files.readString(Path.of("completions/tenantctl.bash"));
        assertThat(committed)
                .as("completions/tenantctl.bash is stale: run scripts/completions and commit the result")
                .isEqualTo(Completions.bash());
    }

    @Test
    void completionKnowsEveryVerbAndGlobalOption() {
        String script = Completions.bash();
        assertThat(script).contains("provision", "pools", "orgs", "schema", "runs", "init", "--catalog", "--dry-run", "--per-pool");
    }
}
