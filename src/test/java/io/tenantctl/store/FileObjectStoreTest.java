package io.tenantctl.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileObjectStoreTest extends ObjectStoreContractTest {

    @TempDir
    Path dir;

    @Override
    protected ObjectStore newStore() {
        return new FileObjectStore(dir.resolve("store"));
    }

    /**
     * Found by probing as another user (the suite runs as root, whom no file refuses): a restore run by another user than
     * the one whose backups fill the store met "permission denied on …/manifest.json" (its files are 600) and nothing on
     * what to do. Exit 3, and it says.
     */
    @Test
    void permissionDeniedSaysWhoseFilesTheyAreAndWhatToDo() {
        Path manifest = dir.resolve("store/acme/b1/manifest.json");
        io.tenantctl.TenantctlException e = ((FileObjectStore) store).failure("cannot read acme/b1/manifest.json",
                new java.nio.file.AccessDeniedException(manifest.toString()));
        assertThat(e.category()).isEqualTo(io.tenantctl.TenantctlException.Category.CONFIG);
        assertThat(e.getMessage()).contains("permission denied on " + manifest)
                .contains("run it as the user that writes the store's backups, or give this user access to " + dir.resolve("store"));
    }

    /**
     * A delete refused with permission denied (a store directory this user may not write in) is the store refusing every
     * delete, as S3's 403 is: a prune that deleted nothing for it says so once, exit 3. (The suite runs as root, whom chmod
     * does not refuse: BackupStoreErrorsTest proves the prune with an immutable directory, "Operation not permitted".)
     */
    @Test
    void aDeleteRefusedWithPermissionDeniedIsTheStoreRefusingWrites() {
        Path manifest = dir.resolve("store/acme/b1/manifest.json");
        io.tenantctl.TenantctlException e = ((FileObjectStore) store).deleteFailure("cannot delete acme/b1/manifest.json",
                new java.nio.file.AccessDeniedException(manifest.toString()));
        assertThat(StoreRefusesWritesException.in(e)).isPresent();
        assertThat(e.category()).isEqualTo(io.tenantctl.TenantctlException.Category.CONFIG);
        assertThat(e.getMessage()).contains("permission denied on " + manifest)
                .contains("give the user tenantctl runs as write access to " + dir.resolve("store"));
        assertThat(StoreRefusesWritesException.in(((FileObjectStore) store).deleteFailure("cannot delete acme/b1/manifest.json",
                new java.nio.file.DirectoryNotEmptyException(manifest.toString())))).as("not a refusal").isEmpty();
    }

    @Test
    void inFlightUploadIsAHiddenTempFileInTheTargetDirectoryAndAbortRemovesIt() throws IOException {
        ObjectStore.Upload upload = store.create("org/b1/users.ndjson");
        upload.write(new byte[10]);
        upload.flush();
        try (Stream<Path> files = Files.list(dir.resolve("store/org/b1"))) {
            assertThat(files).singleElement().satisfies(p ->
                    assertThat(p.getFileName().toString()).startsWith(".tenantctl-upload-"));
        }
        upload.abort();
        try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    /** A backup whose first upload was aborted leaves only its directory: deleting its prefix removes that too, not its org's others. */
    @Test
    void deletingThePrefixOfAnUploadThatWasAbortedRemovesItsEmptyDirectory() throws IOException {
        ObjectStore.Upload kept = store.create("org/b0/users.ndjson");
        kept.write(new byte[3]);
        kept.close();
        ObjectStore.Upload upload = store.create("org/b1/users.ndjson");
        upload.write(new byte[10]);
        upload.abort();

        assertThat(store.deletePrefix("org/b1/")).isZero();

        assertThat(dir.resolve("store/org/b1")).doesNotExist();
        assertThat(store.list("org/")).extracting(ObjectInfo::key).containsExactly("org/b0/users.ndjson");
        store.deletePrefix("org/b0/");
        assertThat(dir.resolve("store/org")).as("the org's directory, left empty").doesNotExist();
    }

    /** A failure reaches the operator in words, not as a Java class name ("java.nio.file.DirectoryNotEmptyException: …"). */
    @Test
    void aDeleteTheFileSystemRefusesSaysWhyInWords() throws IOException {
        Files.createDirectories(dir.resolve("store/org/b1/users.ndjson"));
        Files.writeString(dir.resolve("store/org/b1/users.ndjson/stray"), "x");
        assertThatThrownBy(() -> store.delete("org/b1/users.ndjson"))
                .hasMessageStartingWith("cannot delete org/b1/users.ndjson in " + store.describe() + ": directory not empty: ")
                .hasMessageNotContaining("Exception");
    }

    @Test
    void describeIsAFileUrl() {
        assertThat(store.describe()).isEqualTo(dir.resolve("store").toUri().toString());
    }
}
