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
}
