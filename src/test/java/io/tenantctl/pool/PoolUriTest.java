package io.tenantctl.pool;

import io.tenantctl.TenantctlException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolUriTest {

    @Test
    void inlinePasswordIsRefusedUnlessAllowed() {
        String raw = "mongodb://app:hunter2@ferret-1:27017/?authSource=admin";
        assertThatThrownBy(() -> PoolUri.parse(raw, false))
                .isInstanceOfSatisfying(TenantctlException.class, e -> {
                    assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE);
                    assertThat(e.getMessage()).contains("inline password").contains("${").contains("--allow-inline-password")
                            .doesNotContain("hunter2");
                });
        PoolUri allowed = PoolUri.parse(raw, true);
        assertThat(allowed.hasInlinePassword()).isTrue();
        assertThat(allowed.raw()).isEqualTo(raw);
    }

    @Test
    void placeholderPasswordIsAccepted() {
        PoolUri uri = PoolUri.parse("mongodb://app:${POOL1_PASSWORD}@ferret-1:27017/", false);
        assertThat(uri.hasInlinePassword()).isFalse();
        assertThat(uri.redacted()).isEqualTo("mongodb://app:${POOL1_PASSWORD}@ferret-1:27017/");
    }

    @Test
    void uriWithoutCredentialsOrPasswordIsAccepted() {
        assertThat(PoolUri.parse("mongodb://127.0.0.1:27017", false).hasInlinePassword()).isFalse();
        assertThat(PoolUri.parse("mongodb://app@ferret-1:27017", false).hasInlinePassword()).isFalse();
        assertThat(PoolUri.parse("mongodb+srv://app:${PW}@cluster.example.com", false).hasInlinePassword()).isFalse();
    }

    @Test
    void somethingThatIsNotAMongoUriIsUsage() {
        assertThatThrownBy(() -> PoolUri.parse("postgres://app:pw@db:5432/x", true))
                .isInstanceOfSatisfying(TenantctlException.class, e -> {
                    assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE);
                    assertThat(e.getMessage()).contains("mongodb://").doesNotContain(":pw@");
                });
        assertThatThrownBy(() -> PoolUri.parse(null, true)).isInstanceOf(TenantctlException.class);
    }

    @Test
    void passwordWithUnencodedSlashIsStillSeenAsAnInlinePassword() {
        // generated (base64) passwords often hold '/' and '+'; pasted unencoded they must not slip through as "no password"
        String raw = "mongodb://app:Ab3/x+9Q@ferret-1:27017/?authSource=admin";
        assertThatThrownBy(() -> PoolUri.parse(raw, false))
                .isInstanceOfSatisfying(TenantctlException.class, e -> {
                    assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE);
                    assertThat(e.getMessage()).doesNotContain("Ab3").doesNotContain("x+9Q");
                });
        assertThat(PoolUri.stored(raw).redacted()).doesNotContain("Ab3").doesNotContain("x+9Q").contains("ferret-1:27017");
    }

    @Test
    void redactedNeverContainsThePassword() {
        for (String raw : new String[]{
                "mongodb://app:hunter2@ferret-1:27017/?authSource=admin",
                "mongodb://app:hunter2@ferret-1:27017,ferret-2:27017/db",
                "mongodb+srv://app:hunter2@cluster.example.com/",
                "mongodb://app:hunter2@ferret-1"}) {
            PoolUri uri = PoolUri.stored(raw);
            assertThat(uri.redacted()).as(raw).doesNotContain("hunter2").contains("app:***@");
            assertThat(uri.toString()).doesNotContain("hunter2");
        }
        assertThat(PoolUri.stored("mongodb://app:hunter2@ferret-1:27017/?authSource=admin").redacted())
                .isEqualTo("mongodb://app:***@ferret-1:27017/?authSource=admin");
    }

    @Test
    void resolveSubstitutesAndPercentEncodesUserinfo() {
        PoolUri uri = PoolUri.parse("mongodb://${POOL_USER}:${POOL_PW}@${POOL_HOST}:27017/?authSource=${AUTH_DB}", false);
        String resolved = uri.resolve("pool-1", Map.of(
                "POOL_USER", "app user",
                "POOL_PW", "p@ss:w/rd%+?#",
                "POOL_HOST", "ferret-1.internal",
                "AUTH_DB", "admin"));
        assertThat(resolved).isEqualTo("mongodb://app%20user:p%40ss%3Aw%2Frd%25%2B%3F%23@ferret-1.internal:27017/?authSource=admin");
        // the driver must be able to read it back
        com.mongodb.ConnectionString cs = new com.mongodb.ConnectionString(resolved);
        assertThat(cs.getUsername()).isEqualTo("app user");
        assertThat(new String(cs.getPassword())).isEqualTo("p@ss:w/rd%+?#");
        assertThat(cs.getHosts()).containsExactly("ferret-1.internal:27017");
    }

    @Test
    void resolveLeavesAUriWithoutPlaceholdersAlone() {
        assertThat(PoolUri.stored("mongodb://127.0.0.1:27017").resolve("p", Map.of())).isEqualTo("mongodb://127.0.0.1:27017");
    }

    @Test
    void missingVariableIsConfigErrorNamingPoolAndVariable() {
        PoolUri uri = PoolUri.parse("mongodb://app:${POOL7_PASSWORD}@ferret-7:27017/", false);
        assertThatThrownBy(() -> uri.resolve("pool-7", Map.of("OTHER", "x")))
                .isInstanceOfSatisfying(TenantctlException.class, e -> {
                    assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG);
                    assertThat(e.getMessage()).contains("pool-7").contains("POOL7_PASSWORD");
                });
    }
}
