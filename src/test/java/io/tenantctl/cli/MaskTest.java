package io.tenantctl.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The last mask before stderr and error documents ({@link Mask#secrets}): what it hides and what it leaves readable. */
class MaskTest {

    /**
     * Found by a probing helper: with -v, the driver's {@code password=<hidden>, mechanismProperties=<hidden>} came out as
     * {@code password=*** mechanismProperties=***}: the value ran to the next space, swallowing the list's comma. A comma
     * followed by a space ends the value (a password's own space would end it anyway); a comma inside a password does not,
     * so no part of a password holding one is shown.
     */
    @Test
    void aPasswordValueEndsAtTheCommaOfAListButNotAtOneInsideIt() {
        assertThat(Mask.secrets("MongoCredential{mechanism=SCRAM-SHA-1, userName='app', source='admin', password=<hidden>, "
                + "mechanismProperties=<hidden>}"))
                .isEqualTo("MongoCredential{mechanism=SCRAM-SHA-1, userName='app', source='admin', password=***, "
                        + "mechanismProperties=<hidden>}");
        assertThat(Mask.secrets("connect failed: password=Snt-a,b,c-Pw"))
                .isEqualTo("connect failed: password=***")
                .doesNotContain("b,c");
        assertThat(Mask.secrets("proxyPassword=x,y; then")).isEqualTo("proxyPassword=***; then");
    }

    /**
     * Found on 12-07: a URL typed without its scheme whose password holds '@' or '/', or whose host is mistyped with a
     * leading '-', showed its password (whole, or the part after its first '@'): the mask stopped at the password's
     * first '@' or '/'. Now it runs to the token's last '@', as the driver reads userinfo; the user stays readable.
     */
    @Test
    void aPasswordWithoutAUrlsSchemeIsMaskedWholeWhateverItHolds() {
        for (String typed : java.util.List.of("app:p@ss@host:27017", "app:Hunter2/PW@host", "app:PW@-host", "app:a@b/c@db.example")) {
            String masked = Mask.secrets("invalid --uri '" + typed + "': expected mongodb://host[:port]");
            assertThat(masked).as(typed).startsWith("invalid --uri 'app:***@").doesNotContain("ss@host").doesNotContain("Hunter2")
                    .doesNotContain("PW").doesNotContain("a@b").doesNotContain("b/c");
        }
        // what holds no password stays as it was: a masked URL, a user alone, a time, an e-mail address
        assertThat(Mask.secrets("mongodb://app:***@host/db")).isEqualTo("mongodb://app:***@host/db");
        assertThat(Mask.secrets("at 12:30 by ops@example.com")).isEqualTo("at 12:30 by ops@example.com");
    }
}
