package io.tenantctl.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The layer rules of ARCHITECTURE.md, checked on the sources so a violation fails the build. */
class LayeringTest {

    private static final Path MAIN = Path.of("src/main/java/io/tenantctl");

    @Test
    void cliWritesOnlyThroughPicocliWritersSoJsonOutputStaysClean() throws IOException {
        assertThat(offenders("cli", "System.out", "System.err")).isEmpty();
    }

    @Test
    void cliNeverTalksJdbcOrMongoDirectly() throws IOException {
        assertThat(offenders("cli", "import java.sql.", "import com.mongodb.client.")).isEmpty();
    }

    @Test
    void opsAndLowerLayersNeverPrintOrKnowTheCli() throws IOException {
        for (String pkg : List.of("ops", "catalog", "pool", "schema", "store", "backup", "fanout")) {
            assertThat(offenders(pkg, "import io.tenantctl.cli", "System.out", "System.err", "import picocli"))
                    .as("package %s", pkg).isEmpty();
        }
    }

    @Test
    void catalogKnowsNothingOfMongoAndPoolNothingOfOrgs() throws IOException {
        assertThat(offenders("catalog", "import com.mongodb", "import io.tenantctl.pool", "import io.tenantctl.ops")).isEmpty();
        assertThat(offenders("pool", "import io.tenantctl.catalog", "import io.tenantctl.ops")).isEmpty();
    }

    @Test
    void schemaStoreBackupAndFanoutStayIndependentOfEachOtherAndOfOps() throws IOException {
        assertThat(offenders("schema", "import com.mongodb.client", "import io.tenantctl.catalog", "import io.tenantctl.ops")).isEmpty();
        assertThat(offenders("store", "import io.tenantctl.backup", "import io.tenantctl.catalog", "import com.mongodb")).isEmpty();
        assertThat(offenders("backup", "import io.tenantctl.catalog", "import io.tenantctl.pool", "import com.mongodb.client")).isEmpty();
        assertThat(offenders("fanout", "import io.tenantctl.catalog", "import io.tenantctl.pool", "import com.mongodb")).isEmpty();
    }

    /** "File: needle" for every source file in {@code pkg} that contains a needle. */
    private static List<String> offenders(String pkg, String... needles) throws IOException {
        List<String> out = new ArrayList<>();
        Path dir = MAIN.resolve(pkg);
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                for (String n : needles) {
                    if (src.contains(n)) {
                        out.add(f + ": " + n);
                    }
                }
            }
        }
        return out;
    }
}
