package io.tenantctl.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link ObjectStore} must do; subclasses supply a fresh, empty store per test. */
abstract class ObjectStoreContractTest {

    protected ObjectStore store;

    /** A new empty store. */
    protected abstract ObjectStore newStore() throws Exception;

    @BeforeEach
    void setUpStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void objectAppearsOnlyWhenTheUploadIsClosed() throws IOException {
        ObjectStore.Upload upload = store.create("org/b1/users.ndjson.gz");
        upload.write("hello ".getBytes(StandardCharsets.UTF_8));
        upload.flush();
        upload.write("world".getBytes(StandardCharsets.UTF_8));

        assertThat(store.exists("org/b1/users.ndjson.gz")).isFalse();
        assertThat(store.list("")).isEmpty();

        upload.close();

        assertThat(store.exists("org/b1/users.ndjson.gz")).isTrue();
        assertThat(read("org/b1/users.ndjson.gz")).isEqualTo("hello world");
        assertThat(store.list("")).singleElement().satisfies(info -> {
            assertThat(info.key()).isEqualTo("org/b1/users.ndjson.gz");
            assertThat(info.size()).isEqualTo(11);
            assertThat(info.lastModified()).isNotNull();
        });
    }

    @Test
    void abortedUploadLeavesNoObjectAndCannotBePublishedLater() throws IOException {
        ObjectStore.Upload upload = store.create("org/b1/users.ndjson");
        upload.write(new byte[100_000]);
        upload.abort();

        assertThat(store.exists("org/b1/users.ndjson")).isFalse();
        assertThat(store.list("")).isEmpty();
        assertThat(store.children("")).isEmpty();
        assertThatThrownBy(upload::close).isInstanceOf(IOException.class).hasMessageContaining("aborted");
        assertThat(store.exists("org/b1/users.ndjson")).isFalse();
    }

    @Test
    void writeHelperPublishesOnSuccessAndLeavesNothingWhenTheBodyFails() throws IOException {
        store.write("ok", out -> out.write(1));
        assertThatThrownBy(() -> store.write("broken", out -> {
            out.write(new byte[1000]);
            throw new IOException("source cursor died");
        })).hasMessage("source cursor died");

        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("ok");
    }

    @Test
    void openingAMissingObjectNamesTheKey() {
        assertThatThrownBy(() -> store.open("org/b1/manifest.json"))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("org/b1/manifest.json")
                .hasMessageContaining(store.describe());
        assertThat(store.exists("org/b1/manifest.json")).isFalse();
    }

    @Test
    void listsRecursivelyByStringPrefixWithSizes() throws IOException {
        store.put("a/1", bytes(3));
        store.put("a/x/2", bytes(5));
        store.put("ab/3", bytes(7));
        store.put("b/4", bytes(0));

        assertThat(store.list("a/")).extracting(ObjectInfo::key, ObjectInfo::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a/1", 3L), org.assertj.core.groups.Tuple.tuple("a/x/2", 5L));
        assertThat(store.list("a")).extracting(ObjectInfo::key).containsExactly("a/1", "a/x/2", "ab/3");
        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("a/1", "a/x/2", "ab/3", "b/4");
        assertThat(store.list("c/")).isEmpty();
        assertThat(store.children("")).containsExactly("a", "ab", "b");
        assertThat(store.children("a/")).containsExactly("1", "x");
        assertThat(store.children("nope/")).isEmpty();
    }

    @Test
    void listsEachOfManyPrefixesOnceWhateverLiesBetweenThem() throws IOException {
        for (String key : new String[] {"acme/b1/m", "acme/b2/m", "acme-x/b1/m", "acmez/b1/m", "beta/b1/m", "beta/b1/x/y",
                "c/b/m", "d/b/m", "zed/b/m"}) {
            store.put(key, bytes(2));
        }
        java.util.List<String> listed = new java.util.ArrayList<>();
        store.listEach(java.util.List.of("zed/", "acme/", "beta/", "beta/b1/", "acme-x/", "nobody/"), o -> listed.add(o.key()));
        assertThat(listed).containsExactlyInAnyOrder("acme/b1/m", "acme/b2/m", "acme-x/b1/m", "beta/b1/m", "beta/b1/x/y", "zed/b/m");
        java.util.List<String> runs = new java.util.ArrayList<>(); // the prefixes in the order handed over, each run of one once
        listed.stream().map(k -> k.substring(0, k.indexOf('/') + 1)).forEach(p -> {
            if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(p)) {
                runs.add(p);
            }
        });
        assertThat(runs).as("prefix by prefix, as a reader that adds up one org at a time needs: %s", listed).doesNotHaveDuplicates();
        java.util.List<String> all = new java.util.ArrayList<>();
        store.listEach(java.util.List.of(""), o -> all.add(o.key()));
        assertThat(all).containsExactlyInAnyOrderElementsOf(store.list("").stream().map(ObjectInfo::key).toList());
        store.listEach(java.util.List.of(), o -> assertThat(o).as("no prefix lists nothing").isNull());
    }

    @Test
    void deleteRemovesOneObjectAndDeletePrefixRemovesATree() throws IOException {
        store.put("org/b1/x", bytes(1));
        store.put("org/b1/y", bytes(1));
        store.put("org/b2/x", bytes(1));

        store.delete("org/b1/x");
        store.delete("org/b1/never-existed");
        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("org/b1/y", "org/b2/x");

        assertThat(store.deletePrefix("org/b1/")).isEqualTo(1);
        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("org/b2/x");
        assertThat(store.children("org/")).containsExactly("b2");
        assertThatThrownBy(() -> store.deletePrefix("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checkingThatAFolderCouldBeDeletedDeletesNothing() throws IOException {
        store.put("acme/b1/manifest.json", new byte[]{1});
        store.put("acme/b1/users.ndjson", new byte[]{2});

        store.checkDeletableDeletingNothing("acme/b1/"); // a store that allows deletes: no refusal
        store.checkDeletableDeletingNothing("acme/b2/"); // nothing there: nothing to refuse

        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("acme/b1/manifest.json", "acme/b1/users.ndjson");
    }

    @Test
    void rewritingAKeyReplacesItsContent() throws IOException {
        store.put("k", "first".getBytes(StandardCharsets.UTF_8));
        store.put("k", "second".getBytes(StandardCharsets.UTF_8));
        assertThat(read("k")).isEqualTo("second");
    }

    @Test
    void writesOfEverySizeKeepTheirOrder() throws Exception {
        byte[] data = new byte[400_000];
        new Random(11).nextBytes(data);
        int[] sizes = {1, 1000, 8191, 8192, 20_000, 3, 150_000, 65_536, 7};
        try (OutputStream out = store.create("mixed")) { // small writes gathered, large ones handed on, in between
            int i = 0;
            for (int k = 0; i < data.length; k++) {
                int n = Math.min(sizes[k % sizes.length], data.length - i);
                out.write(data, i, n);
                i += n;
            }
        }
        try (InputStream in = store.open("mixed")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void emptyAndMultiBufferObjectsRoundTrip() throws Exception {
        store.put("empty", new byte[0]);
        byte[] big = new byte[300_000];
        new Random(7).nextBytes(big);
        try (OutputStream out = store.create("big")) {
            for (int i = 0; i < big.length; i += 1000) {
                out.write(big, i, Math.min(1000, big.length - i));
            }
        }
        assertThat(store.list("")).extracting(ObjectInfo::key, ObjectInfo::size).containsExactly(
                org.assertj.core.groups.Tuple.tuple("big", 300_000L), org.assertj.core.groups.Tuple.tuple("empty", 0L));
        try (InputStream in = store.open("big")) {
            assertThat(in.readAllBytes()).isEqualTo(big);
        }
        try (InputStream in = store.open("empty")) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void refusesKeysThatCouldEscapeOrAlias() {
        for (String bad : new String[] {"../etc/passwd", "a/../../b", "/abs", "a//b", "a/", "", "a/./b", "a\\b"}) {
            assertThatThrownBy(() -> store.create(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.open(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void describeNamesTheLocation() {
        assertThat(store.describe()).isNotBlank().doesNotContain("secret");
    }

    protected String read(String key) throws IOException {
        try (InputStream in = store.open(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    protected static byte[] bytes(int n) {
        return new byte[n];
    }

    protected static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
