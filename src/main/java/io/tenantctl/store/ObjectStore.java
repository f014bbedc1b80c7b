package io.tenantctl.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * A flat key/value store of immutable objects (a local directory or an S3 bucket prefix). Keys are
 * '/'-separated relative paths such as {@code acme/20250101T000000Z-abc123/manifest.json}; see
 * {@link Keys#requireValid(String)} for the rules.
 *
 * <p>An object becomes visible atomically and only when its {@link Upload} is closed successfully; an
 * aborted or abandoned upload leaves no object behind. Methods other than the stream ones throw
 * {@link io.tenantctl.TenantctlException}: {@link ObjectNotFoundException} for a missing key, category
 * CONFIG when the store itself is unreachable or refuses access, FAILED for other I/O errors.
 */
public interface ObjectStore extends AutoCloseable {

    /**
     * Starts writing a new object (replacing any existing one once published). The returned stream publishes
     * the object on {@link Upload#close()}; call {@link Upload#abort()} instead when the content is incomplete.
     * Prefer {@link #write(String, BodyWriter)}, which does this for you.
     */
    Upload create(String key);

    /** Opens an object for reading; throws {@link ObjectNotFoundException} naming the key when it is missing. */
    InputStream open(String key);

    /** Whether an object with exactly this key exists. */
    boolean exists(String key);

    /**
     * All objects whose key starts with {@code prefix} (plain string prefix, recursive, {@code ""} = all),
     * sorted by key. Keys are relative to the store root, as passed to {@link #create(String)}.
     */
    List<ObjectInfo> list(String prefix);

    /**
     * Every object under any of {@code prefixes} (each {@code ""} or ending in '/'), each once, to {@code each} as it is
     * listed, none held, prefix by prefix (all of one's objects before the next's): for a batch of orgs, as few listing
     * calls as the store allows instead of one per org (S3: one paginated listing, in key order, that skips what lies
     * between them). The default lists each prefix in turn.
     */
    default void listEach(java.util.Collection<String> prefixes, java.util.function.Consumer<ObjectInfo> each) {
        java.util.TreeSet<String> sorted = new java.util.TreeSet<>(prefixes);
        sorted.forEach(Keys::requireDirectoryPrefix);
        String covered = null;
        for (String prefix : sorted) {
            if (covered == null || !prefix.startsWith(covered)) { // one under another is listed with it
                covered = prefix;
                list(prefix).forEach(each);
            }
        }
    }

    /**
     * The distinct names of the immediate children under a "directory": for objects {@code a/x/1} and
     * {@code a/y} and prefix {@code a/}, returns {@code [x, y]}. {@code prefix} must be {@code ""} or end with '/'.
     */
    List<String> children(String prefix);

    /** Deletes an object; deleting a missing key is not an error. */
    void delete(String key);

    /** Deletes every object whose key starts with {@code prefix}; returns how many were deleted. */
    default int deletePrefix(String prefix) {
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("refusing to delete every object in " + describe());
        }
        int n = 0;
        for (ObjectInfo info : list(prefix)) {
            delete(info.key());
            n++;
        }
        return n;
    }

    /** Where this store points, for messages (e.g. {@code s3://bucket/prefix}); never contains secrets. */
    String describe();

    /**
     * Why this store is not there at all, when it can tell without a request: a file store whose directory does not exist
     * or holds nothing at all (the first write makes it, so nothing was written here, or a volume is not mounted). Empty
     * when it is there or cannot tell that way (S3: a missing bucket fails the first listing).
     */
    default java.util.Optional<String> missing() {
        return java.util.Optional.empty();
    }

    /**
     * Checks, before any work, that objects can be written here at all; throws a CONFIG error naming the store when
     * they cannot. Stores that can only find out by writing (S3: access is proven by the first upload) do nothing.
     */
    default void checkWritable() {
    }

    /**
     * As {@link #checkWritable}, writing nothing (a dry run): what that check would refuse is refused alike; a file store's
     * missing directory is not made, the one it would be made in is checked instead. An S3 store starts an upload and aborts
     * it, which its credentials and the bucket policy allow only where they allow writing, leaving no object.
     */
    default void checkWritableWritingNothing() {
    }

    /**
     * As {@link #checkWritableWritingNothing()}, after it, for objects under {@code prefix} (an org's folder) in particular: a
     * file store's folder there, made by an earlier backup (perhaps by another user), must be one this process may write in,
     * or the nearest that exists above it. Stores that allow or refuse writes alike under every prefix do nothing.
     */
    default void checkWritableWritingNothing(String prefix) {
    }

    /**
     * Checks, deleting nothing, that the objects under {@code prefix} (a folder, ending in '/') could be deleted (a prune's dry
     * run): throws the {@link StoreRefusesWritesException} such a delete would meet where the store refuses it. A file store
     * asks the file system whether this process may write in the folder and the one above it; an S3 store deletes a key that
     * does not exist, beside its write probe, which its credentials and the bucket policy allow only where they allow deletes.
     * Stores that cannot tell so do nothing.
     */
    default void checkDeletableDeletingNothing(String prefix) {
    }

    /**
     * Writes an object in one go: runs {@code body} against a new upload, publishes it when {@code body}
     * returns normally and aborts it (leaving no object) when {@code body} throws.
     */
    default void write(String key, BodyWriter body) throws IOException {
        Upload upload = create(key);
        try {
            body.writeTo(upload);
        } catch (IOException | RuntimeException | Error e) {
            upload.abort();
            throw e;
        }
        upload.close();
    }

    /** Writes a small object from bytes. */
    default void put(String key, byte[] content) throws IOException {
        write(key, out -> out.write(content));
    }

    /** Releases clients and connections; the default does nothing. */
    @Override
    default void close() {
    }

    /** The body of {@link #write(String, BodyWriter)}. */
    @FunctionalInterface
    interface BodyWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * An object being written. {@link #close()} publishes it (and throws if that fails, in which case nothing
     * was published); {@link #abort()} discards it. After either, further writes fail, and {@code close()} after
     * an abort throws. If a write fails, the upload is aborted, so a later {@code close()} (e.g. from
     * try-with-resources) throws instead of publishing a partial object. Note that try-with-resources still
     * publishes when the <em>caller's</em> code fails between writes: use {@link ObjectStore#write} for that.
     */
    abstract class Upload extends OutputStream {

        /** Discards everything written so far; the object is not created. Idempotent; never throws. */
        public abstract void abort();

        /** The key being written. */
        public abstract String key();
    }
}
