package io.tenantctl.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tenantctl.TenantctlException;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class BackupIdsAndLayoutTest {

    @Test
    void idIsUtcTimestampPlusSixRandomCharactersAndSortsByTime() {
        Clock march = Clock.fixed(Instant.parse("2025-03-14T02:03:04.999Z"), ZoneOffset.ofHours(5));
        String id = BackupIds.newId(march, new Random(1));
        assertThat(id).matches("20250314T020304Z-[a-z0-9]{6}");
        assertThat(BackupIds.timestamp(id)).isEqualTo(Instant.parse("2025-03-14T02:03:04Z"));

        String later = BackupIds.newId(Clock.fixed(Instant.parse("2025-03-14T02:03:05Z"), ZoneOffset.UTC), new Random(2));
        assertThat(later).isGreaterThan(id);

        Set<String> sameSecond = new HashSet<>();
        Random random = new Random(3);
        for (int i = 0; i < 1000; i++) {
            sameSecond.add(BackupIds.newId(march, random));
        }
        assertThat(sameSecond).hasSize(1000);
    }

    @Test
    void invalidIdsAreUsageErrors() {
        for (String bad : new String[] {"latest", "20251314T020304Z-abcdef", "20250314T020304Z-ABCDEF", "../x", ""}) {
            assertThat(BackupIds.isValid(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> BackupIds.requireValid(bad))
                    .isInstanceOfSatisfying(TenantctlException.class,
                            e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE))
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void layoutKeys() {
        BackupLayout layout = new BackupLayout("/tenantctl/");
        String id = "20250314T020304Z-abc123";
        assertThat(layout.orgPrefix("acme")).isEqualTo("tenantctl/acme/");
        assertThat(layout.manifestKey("acme", id)).isEqualTo("tenantctl/acme/" + id + "/manifest.json");
        assertThat(layout.fileKey("acme", id, "users.ndjson.gz")).isEqualTo("tenantctl/acme/" + id + "/users.ndjson.gz");
        assertThat(BackupLayout.root().manifestKey("acme", id)).isEqualTo("acme/" + id + "/manifest.json");
        assertThatThrownBy(() -> layout.orgPrefix("Acme/../x")).isInstanceOf(TenantctlException.class)
                .hasMessageContaining("'Acme/../x'");
    }

    @Test
    void collectionNamesBecomeSafeFileNames() {
        assertThat(BackupLayout.collectionFileName("users", Compression.GZIP)).isEqualTo("users.ndjson.gz");
        assertThat(BackupLayout.collectionFileName("conversationtags", Compression.ZSTD)).isEqualTo("conversationtags.ndjson.zst");
        assertThat(BackupLayout.collectionFileName("a.b", Compression.NONE)).isEqualTo("a.b.ndjson");
        assertThat(BackupLayout.collectionFileName("a/b", Compression.NONE)).isEqualTo("a%2Fb.ndjson");
        assertThat(BackupLayout.collectionFileName("..", Compression.NONE)).isEqualTo("%2E..ndjson");
        assertThat(BackupLayout.collectionFileName("50%", Compression.NONE)).isEqualTo("50%25.ndjson");
        assertThat(BackupLayout.collectionFileName("\u6570\u636E", Compression.NONE)).isEqualTo("\u6570\u636E.ndjson");
        assertThat(BackupLayout.collectionFileName("a b", Compression.NONE)).isEqualTo("a%20b.ndjson");
    }

    /** Names MongoDB allows (namespace up to 255 bytes) but a file system would not, as files: cut, told apart by a hash. */
    @Test
    void longCollectionNamesStayWithinAFileNameAndApart() {
        String spaces = "a b".repeat(80); // 240 bytes, 480 encoded
        String wide = "\u65E5".repeat(82); // 246 bytes of UTF-8
        for (String name : java.util.List.of(spaces, spaces + "c", wide, wide + "x")) {
            String file = BackupLayout.collectionFileName(name, Compression.ZSTD);
            assertThat(file.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).as(file).isLessThanOrEqualTo(255);
            assertThat(file).endsWith(".ndjson.zst").contains("~").doesNotContainPattern("%.?~");
        }
        assertThat(BackupLayout.collectionFileName(spaces, Compression.NONE))
                .isNotEqualTo(BackupLayout.collectionFileName(spaces + "c", Compression.NONE));
        assertThat(BackupLayout.collectionFileName(wide, Compression.NONE)).isNotEqualTo(BackupLayout.collectionFileName(wide + "x", Compression.NONE));
    }

    @Test
    void compressionNamesParseAndUnknownOnesAreUsageErrors() {
        assertThat(Compression.of("ZSTD")).isEqualTo(Compression.ZSTD);
        assertThatThrownBy(() -> Compression.of("lz4"))
                .isInstanceOfSatisfying(TenantctlException.class,
                        e -> assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE))
                .hasMessageContaining("'lz4'").hasMessageContaining("gzip, zstd, none");
    }

    /**
     * zstd-jni's own message for a library it unpacked into a noexec /tmp is three lines: the system's reason, then its
     * two fallbacks' ("Unsupported OS/arch … Please try building from source"), which sent the operator off to build
     * zstd-jni. The config error is one line with the reason that matters, the directory and how to name another one.
     */
    @Test
    void zstdThatCannotLoadIsOneLineWithTheSystemsReasonAndTheWayOut() {
        UnsatisfiedLinkError noexec = new UnsatisfiedLinkError("/tmp/libzstd-jni-1.5.7-4.so: /tmp/libzstd-jni-1.5.7-4.so: failed to map "
                + "segment from shared object\nno zstd-jni-1.5.7-4 in java.library.path: /usr/java/packages/lib:/usr/lib\n"
                + "Unsupported OS/arch, cannot find /linux/amd64/libzstd-jni-1.5.7-4.so or load zstd-jni-1.5.7-4 from system libraries. "
                + "Please try building from source the jar or providing libzstd-jni-1.5.7-4 in your system.");
        TenantctlException e = Compression.unavailable(noexec, "the way out");
        assertThat(e.getMessage()).doesNotContain("\n").contains("failed to map segment from shared object")
                .doesNotContain("building from source").contains(System.getProperty("java.io.tmpdir")).endsWith(": the way out");
        assertThat(e.category()).isEqualTo(TenantctlException.Category.CONFIG);
        assertThat(Compression.unavailable(new UnsatisfiedLinkError(), "x").getMessage()).contains("(UnsatisfiedLinkError)");
    }
}
