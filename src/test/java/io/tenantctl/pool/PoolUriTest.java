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
        PoolUri.Externalised moved = allowed.externalise("pool-1");
        assertThat(moved.uri().raw()).isEqualTo("mongodb://app:${TENANTCTL_POOL_POOL_1_PASSWORD}@ferret-1:27017/?authSource=admin");
        assertThat(moved.variables()).containsExactly("TENANTCTL_POOL_POOL_1_PASSWORD");
        assertThat(moved.uri().hasInlinePassword()).isFalse();
        assertThat(moved.uri().resolve("pool-1", Map.of("TENANTCTL_POOL_POOL_1_PASSWORD", "hunter2")))
                .isEqualTo("mongodb://app:hunter2@ferret-1:27017/?authSource=admin");
    }

    @Test
    void secretBearingQueryOptionsAreFoundRedactedAndMovedOut() {
        String raw = "mongodb://ferret-1:27017/?authMechanism=MONGODB-AWS"
                + "&authMechanismProperties=SERVICE_NAME:mongodb,AWS_SESSION_TOKEN:IQoJb3Jp/Z2lu+X2Vj=="
                + "&tlsCertificateKeyFilePassword=kfp&replicaSet=rs0&appName=tenantctl&tlsCAFile=/etc/ssl/ca.pem";
        PoolUri uri = PoolUri.stored(raw);
        assertThat(uri.inlineSecrets()).containsExactly("AWS_SESSION_TOKEN", "tlsCertificateKeyFilePassword");
        assertThat(uri.redacted()).isEqualTo("mongodb://ferret-1:27017/?authMechanism=MONGODB-AWS"
                + "&authMechanismProperties=SERVICE_NAME:mongodb,AWS_SESSION_TOKEN:***"
                + "&tlsCertificateKeyFilePassword=***&replicaSet=rs0&appName=tenantctl&tlsCAFile=/etc/ssl/ca.pem");
        PoolUri.Externalised moved = uri.externalise("p2");
        assertThat(moved.variables()).containsExactly("TENANTCTL_POOL_P2_AWS_SESSION_TOKEN",
                "TENANTCTL_POOL_P2_TLSCERTIFICATEKEYFILEPASSWORD");
        assertThat(moved.uri().inlineSecrets()).isEmpty();
        // resolved values are percent-encoded in the query too, and the driver reads them back
        String resolved = moved.uri().resolve("p2", Map.of("TENANTCTL_POOL_P2_AWS_SESSION_TOKEN", "IQoJb3Jp/Z2lu+X2Vj==",
                "TENANTCTL_POOL_P2_TLSCERTIFICATEKEYFILEPASSWORD", "k&f=p"));
        assertThat(resolved).contains("tlsCertificateKeyFilePassword=k%26f%3Dp");
        assertThat(new com.mongodb.ConnectionString(resolved).getCredential().getMechanismProperty("AWS_SESSION_TOKEN", ""))
                .isEqualTo("IQoJb3Jp/Z2lu+X2Vj==");
    }

    @Test
    void valuesThatLookLikeCredentialsAreSecretsWhateverTheOptionIsCalled() {
        assertThat(PoolUri.looksLikeCredential("AKIAIOSFODNN7EXAMPLE")).isTrue();
        assertThat(PoolUri.looksLikeCredential("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig")).isTrue();
        assertThat(PoolUri.looksLikeCredential("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).isTrue();
        assertThat(PoolUri.looksLikeCredential("${AWS_SECRET}")).isFalse();
        for (String ordinary : new String[]{"rs0", "admin", "tenantctl", "majority", "/etc/ssl/ca.pem", "true", "30000",
                "SCRAM-SHA-256", "ferretdb-pool-1.internal.example.com"}) {
            assertThat(PoolUri.looksLikeCredential(ordinary)).as(ordinary).isFalse();
        }
        assertThat(PoolUri.stored("mongodb://h:1/?x=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").redacted()).isEqualTo("mongodb://h:1/?x=***");
    }

    /** userinfo is read as the driver reads it: a password may hold '#', '?' or '@'; an option's '@' is not userinfo. */
    @Test
    void userinfoEndsAtTheLastAtBeforeTheFirstSlash() {
        for (String raw : new String[]{"mongodb://app:Hunter2#Kx9z@h:27017/", "mongodb://app:Hunter2?Kx9z@h/", "mongodb://app:a@b@h/",
                "mongodb://app:pa/ss@h/"}) {
            assertThatThrownBy(() -> PoolUri.parse(raw, false)).as(raw).isInstanceOfSatisfying(TenantctlException.class,
                    e -> assertThat(e.getMessage()).doesNotContain("Kx9z").doesNotContain("a@b").doesNotContain("pa/ss"));
        }
        assertThat(PoolUri.parse("mongodb://ferret-1:27017/?appName=tenantctl@prod", false).raw())
                .isEqualTo("mongodb://ferret-1:27017/?appName=tenantctl@prod");
    }

    @Test
    void aUriWithoutAHostIsRefused() {
        for (String raw : new String[]{"mongodb://", "mongodb:///db", "mongodb://app:${PW}@/"}) {
            assertThatThrownBy(() -> PoolUri.parse(raw, false)).as(raw)
                    .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.getMessage()).contains("names no host"));
        }
    }

    @Test
    void aUriTheDriverCannotReadIsRefusedBeforeItIsStored() {
        for (String raw : new String[]{"mongodb://127.0.0.1:99999/", "mongodb://h:abc/", "mongodb://h:0/", "mongodb://[::1",
                "mongodb+srv://cluster.example.com:27017/", "mongodb://h:1/?replicaSet", "mongodb://app:${PW}@h:1/?authMechanism=BOGUS"}) {
            assertThatThrownBy(() -> PoolUri.parse(raw, false)).as(raw)
                    .isInstanceOfSatisfying(TenantctlException.class, e -> {
                        assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE);
                        assertThat(e.getMessage()).contains("is not a MongoDB connection string");
                    });
        }
        // the driver reads secrets and placeholders as "1": a literal secret never reaches its message
        assertThatThrownBy(() -> PoolUri.parse("mongodb://app:hunter2hunter2@h:99999/?tlsCertificateKeyFilePassword=sesame", true))
                .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.getMessage())
                        .contains("is not a MongoDB connection string").doesNotContain("hunter2").doesNotContain("sesame"));
        // placeholders anywhere still parse: host, port, password, query values
        PoolUri.parse("mongodb://${POOL_HOST}:${POOL_PORT}/?authSource=admin", false);
        PoolUri.parse("mongodb://app:${PW}@h:27017/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:${TOKEN}", false);
        PoolUri.parse("mongodb://h1:27017,h2:27018/?replicaSet=rs0&tls=true", false);
    }

    @Test
    void aMechanismThatNeedsAUserIsReadWithTheUserTheUriGives() {
        // FerretDB's own auth: SCRAM-SHA-256 against a PostgreSQL role, the URI production pools are given
        for (String raw : new String[]{"mongodb://app:${POOL1_PASSWORD}@ferret-1:27017/?authSource=admin&authMechanism=SCRAM-SHA-256",
                "mongodb://app:${PW}@ferret-1:27017/?authMechanism=SCRAM-SHA-1", "mongodb://app:${PW}@ferret-1:27017/?authMechanism=PLAIN",
                "mongodb://${POOL_USER}:${PW}@ferret-1:27017/?authMechanism=SCRAM-SHA-256&tls=true",
                "mongodb://app%40corp:${PW}@ferret-1:27017/?authMechanism=SCRAM-SHA-256",
                "mongodb://app@ferret-1:27017/?authMechanism=GSSAPI&authMechanismProperties=SERVICE_NAME:mongodb"}) {
            assertThat(PoolUri.parse(raw, false).raw()).as(raw).isEqualTo(raw);
        }
        // allowed inline, moved out: the check reads the URI with the user still in it
        assertThat(PoolUri.parse("mongodb://app:hunter2@ferret-1:27017/?authMechanism=SCRAM-SHA-256", true).externalise("pool-1").uri().raw())
                .isEqualTo("mongodb://app:${TENANTCTL_POOL_POOL_1_PASSWORD}@ferret-1:27017/?authMechanism=SCRAM-SHA-256");
        // what the driver refuses at connect is still refused here, never quoting a secret: SCRAM with no user at all
        assertThatThrownBy(() -> PoolUri.parse("mongodb://ferret-1:27017/?authMechanism=SCRAM-SHA-256", false))
                .isInstanceOfSatisfying(TenantctlException.class, e -> assertThat(e.getMessage()).contains("is not a MongoDB connection string"));
    }

    /**
     * The Java driver reads no CA or key file from a URI (tlsCAFile, tlsCertificateKeyFile) and drops an option it does not
     * know with a log line only -v shows: such options are named, so pools add can say the pool connects without them.
     */
    @Test
    void optionsTheDriverDoesNotReadAreNamed() {
        assertThat(PoolUri.parse("mongodb://app:${PW}@h:27017/?tls=true&tlsCAFile=/etc/ssl/ca.pem&replicaSet=rs0&appName=x"
                + "&tlsCertificateKeyFile=/k.pem&tlsCertificateKeyFilePassword=${KP}&authSource=admin&readPreference=primary", false)
                .ignoredOptions()).containsExactly("tlsCAFile", "tlsCertificateKeyFile", "tlsCertificateKeyFilePassword");
        assertThat(PoolUri.parse("mongodb://h:27017/?directConnection=true&TLS=true&tlsAllowInvalidHostnames=true&w=majority"
                + "&authMechanismProperties=SERVICE_NAME:m&serverSelectionTimeoutMS=5&compressors=zstd", false).ignoredOptions()).isEmpty();
        assertThat(PoolUri.parse("mongodb://h:27017/", false).ignoredOptions()).isEmpty();
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
        // found by a probing helper: a stored password holding '@' then '/' was masked only up to its own '@'
        assertThat(PoolUri.stored("mongodb://old2:hunter2@Sp3c:w/rd?x#y@127.0.0.1:36535/").redacted())
                .isEqualTo("mongodb://old2:***@127.0.0.1:36535/");
        assertThat(PoolUri.stored("mongodb://old2:hunter2@Sp3c@ferret-1:27017/?password=Pw3@x&authSource=admin").redacted())
                .isEqualTo("mongodb://old2:***@ferret-1:27017/?password=***&authSource=admin");
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
                    assertThat(e.getMessage()).isEqualTo("pool pool-7: its URI references ${POOL7_PASSWORD}, which is not set in the "
                            + "environment: export POOL7_PASSWORD=… (or set POOL7_PASSWORD=… in the --config file), then run this again");
                });
    }

    /**
     * Found on call: a URI with two secrets moved into variables (a password in the user part and one in the query, as
     * 'pools add --allow-inline-password' makes them) and neither set named only the first: the operator exported it,
     * ran again, and was only then told of the second. Every unset variable is now named at once.
     */
    @Test
    void everyMissingVariableIsNamedAtOnce() {
        PoolUri uri = PoolUri.parse("mongodb://app:${P_PW}@ferret-7:27017/?authSource=admin&tlsCertificateKeyFilePassword=${P_KEY_PW}", false);
        assertThatThrownBy(() -> uri.resolve("pool-7", Map.of("OTHER", "x")))
                .isInstanceOfSatisfying(TenantctlException.class, e -> {
                    assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG);
                    assertThat(e.getMessage()).isEqualTo("pool pool-7: its URI references ${P_PW}, ${P_KEY_PW}, which are not set in "
                            + "the environment: export P_PW=… P_KEY_PW=… (or set them in the --config file), then run this again");
                });
        assertThatThrownBy(() -> uri.resolve("pool-7", Map.of("P_PW", "x")))
                .hasMessage("pool pool-7: its URI references ${P_KEY_PW}, which is not set in the environment: export P_KEY_PW=… "
                        + "(or set P_KEY_PW=… in the --config file), then run this again");
    }

    /** Two registrations of one server share a database namespace: gc must see them as one server however they are spelled. */
    @Test
    void serversAreHostAndPortInLowerCaseWithTheDefaultPortFilledIn() {
        assertThat(PoolUri.stored("mongodb://u:${P}@Ferret-1.Example:27017,ferret-2.example/db?tls=true").servers())
                .containsExactly("ferret-1.example:27017", "ferret-2.example:27017");
        assertThat(PoolUri.stored("mongodb://ferret-1.example/?appName=pool2").servers())
                .isEqualTo(PoolUri.stored("mongodb://FERRET-1.example:27017").servers());
        assertThat(PoolUri.stored("mongodb://[::1]:27018,[::1]").servers()).containsExactly("[::1]:27017", "[::1]:27018");
        assertThat(PoolUri.stored("mongodb+srv://u:${P}@cluster.example/").servers()).containsExactly("cluster.example");
    }

    /**
     * A scheme is case-insensitive (RFC 3986): MongoDB:// and MONGODB+SRV:// were refused, "must start with mongodb://". They
     * are taken as the lower-case scheme (stored so), and an inline password in one is still refused without being shown.
     */
    @Test
    void theSchemeIsReadWhateverItsCase() {
        assertThat(PoolUri.parse("MongoDB://app:${PW}@ferret-1:27017/", false).raw()).isEqualTo("mongodb://app:${PW}@ferret-1:27017/");
        assertThat(PoolUri.parse("MONGODB+SRV://cluster.example.com/", false).raw()).isEqualTo("mongodb+srv://cluster.example.com/");
        assertThatThrownBy(() -> PoolUri.parse("MongoDB://app:hunter2@ferret-1:27017/", false))
                .isInstanceOf(TenantctlException.class).hasMessageContaining("inline password").hasMessageNotContaining("hunter2")
                .hasMessageContaining("mongodb://app:***@ferret-1:27017/");
    }
}
