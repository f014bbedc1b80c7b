package io.tenantctl.cli;

import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static io.tenantctl.cli.CliFixture.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: under a Turkish default locale ({@code -Duser.language=tr}) table headers were upper-cased
 * by its rules, {@code i} to a dotted {@code İ}: {@code PRİORİTY}, {@code CAPACİTY}, {@code TİER}. Headers are ASCII,
 * whatever the locale (scripts read them, and grep for them).
 */
class TableHeadersUnderATurkishLocaleTest {

    @Test
    void headersAreAsciiUnderATurkishLocale() {
        Cli cli = Cli.withCatalog(CliFixture.initialisedCatalog());
        CliFixture.addPool(cli, "pool-1", "mongodb://127.0.0.1:1/", 10, 1);
        Locale before = Locale.getDefault();
        Cli.Result r;
        try {
            Locale.setDefault(new Locale("tr", "TR"));
            r = ok(cli, "pools", "list");
        } finally {
            Locale.setDefault(before);
        }
        assertThat(r.out()).as(r.toString()).contains("POOL").contains("PRIORITY").contains("CAPACITY").doesNotContain("İ");
    }
}
