package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README gives {@code concurency=4} as a key the config file refuses, and says the refusal names the key and the
 * spelling meant. Only a key spelt with '_' or capitals ({@code per_pool}) was given its option: a letter left out or
 * swapped ({@code concurency}, {@code compresion}) was refused with no hint, the operator left to find the option's
 * name in --help at 3 a.m. A key near no option's name still gets no guess.
 */
class AMisspeltConfigKeyNamesTheOptionMeantTest {

    @Test
    void aKeyALetterOffAnOptionNamesThatOption(@TempDir Path dir) throws Exception {
        String url = CliFixture.initialisedCatalog();
        Cli cli = new Cli(Map.of("USER", "test"));
        Path config = dir.resolve("tenantctl.properties");

        Files.writeString(config, "catalog=" + url + "\nconcurency=4\n");
        Cli.Result r = cli.run("orgs", "list", "--config", config.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).as(r.toString()).contains("a key no option reads: concurency").contains("did you mean concurrency?");

        Files.writeString(config, "catalog=" + url + "\ntenantctl.backup.compresion=gzip\n");
        r = cli.run("orgs", "list", "--config", config.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).as(r.toString()).contains("did you mean tenantctl.backup.compression?");

        Files.writeString(config, "catalog=" + url + "\nwibble=4\n");
        r = cli.run("orgs", "list", "--config", config.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).as(r.toString()).contains("a key no option reads: wibble").doesNotContain("did you mean");
    }
}
