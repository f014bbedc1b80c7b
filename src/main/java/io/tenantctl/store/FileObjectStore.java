package io.tenantctl.store;

import io.tenantctl.TenantctlException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * An {@link ObjectStore} in a local directory. Each upload goes to a hidden temporary file in the target's
 * directory, is fsynced, and is renamed into place atomically on close, so readers never see a partial object.
 */
public final class FileObjectStore implements ObjectStore {

    /**
     * What an upload gathers small writes into. Larger writes go to the file as they come: what writes to an upload
     * (a compressor's output, a manifest) mostly writes large blocks or the whole object at once, and a 64 KB buffer for
     * each of an org's 47 collection files cost more than the writes (allocated and zeroed per file).
     */
    private static final int BUFFER = 8 * 1024;

    /** The most handed to the file in one write: the JDK copies it into a direct buffer of that size, kept per thread. */
    private static final int MAX_WRITE = 64 * 1024;

    private final Path root;

    /**
     * The root directory's identity (its file system and inode) when this store first saw it: a root found to be another
     * directory later (its volume unmounted mid-run, leaving the empty mount point; moved away and made anew) or gone is
     * not written under — a directory made there would put backups on the wrong disk. Null until the root exists.
     */
    private volatile Object rootKey;

    /** A store rooted at {@code root}; the directory is created on the first write. */
    public FileObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.rootKey = rootKey();
    }

    /** The root's file key as the file system says it now (a placeholder on one that has none); null when it is no directory. */
    private Object rootKey() {
        try {
            var attrs = Files.readAttributes(root, java.nio.file.attribute.BasicFileAttributes.class);
            return !attrs.isDirectory() ? null : attrs.fileKey() != null ? attrs.fileKey() : root;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Before a directory is made under the root: the root is still the directory this store first saw (or, when there was
     * none yet, it is made now and remembered). One replaced or gone since stops the writer, a fact about the store for every
     * org after it ({@link StoreUnansweredException}, exit 3), rather than a backup written on the disk under a mount point.
     */
    private void requireSameRoot(String key) throws IOException {
        if (rootKey == null) {
            Files.createDirectories(root);
            rootKey = rootKey();
            return;
        }
        if (!rootKey.equals(rootKey())) {
            throw new StoreUnansweredException("store " + describe() + " is no longer the directory it was when this command opened it"
                    + " (" + (Files.isDirectory(root) ? "another directory is there now" : "it is gone") + ": a volume unmounted, or the "
                    + "directory moved, mid-run): not writing " + key + " on the disk under it; mount it again, or point --store / "
                    + "TENANTCTL_STORE at the directory that holds its backups, then go on", null);
        }
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    @Override
    public Upload create(String key) {
        Path target = resolve(key);
        try {
            if (!Files.isDirectory(target.getParent())) { // createDirectories throws and catches on an existing one
                requireSameRoot(key);
                Files.createDirectories(target.getParent());
            }
            Path temp = Files.createTempFile(target.getParent(), Keys.TEMP_MARKER, ".tmp");
            return new FileUpload(key, target, temp);
        } catch (IOException e) {
            throw failure("cannot create " + key, e);
        }
    }

    @Override
    public InputStream open(String key) {
        Path path = resolve(key);
        try {
            if (Files.isDirectory(path)) {
                throw new ObjectNotFoundException(key, describe());
            }
            return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(key, describe());
        } catch (IOException e) {
            throw failure("cannot read " + key, e);
        }
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(resolve(key));
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        Keys.requireValidPrefix(prefix);
        for (int attempt = 1; ; attempt++) {
            try {
                return walk(prefix);
            } catch (java.io.UncheckedIOException e) {
                // a file or directory vanished while walking (a concurrent delete): walk again
                if (!(e.getCause() instanceof NoSuchFileException) || attempt == 3) {
                    throw failure("cannot list " + Keys.listed(prefix), e.getCause());
                }
            }
        }
    }

    private List<ObjectInfo> walk(String prefix) {
        int slash = prefix.lastIndexOf('/');
        Path dir = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<ObjectInfo> result = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (p.getFileName().toString().startsWith(Keys.TEMP_MARKER) || !Files.isRegularFile(p)) {
                    continue;
                }
                String key = keyOf(p);
                if (key.startsWith(prefix)) {
                    var attrs = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
                    result.add(new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
                }
            }
        } catch (NoSuchFileException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (IOException e) {
            throw failure("cannot list " + Keys.listed(prefix), e);
        }
        result.sort(Comparator.comparing(ObjectInfo::key));
        return result;
    }

    @Override
    public List<String> children(String prefix) {
        Keys.requireDirectoryPrefix(prefix);
        Path dir = prefix.isEmpty() ? root : root.resolve(prefix.substring(0, prefix.length() - 1));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(Keys.TEMP_MARKER)) {
                    continue;
                }
                keyOf(p); // a name this JVM cannot decode
                if (Files.isRegularFile(p) || (Files.isDirectory(p) && hasObjects(p))) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw failure("cannot list " + prefix, e);
        }
        return List.copyOf(names);
    }

    @Override
    public void delete(String key) {
        Path path = resolve(key);
        try {
            Files.deleteIfExists(path);
            removeEmptyParents(path);
        } catch (IOException e) {
            throw deleteFailure("cannot delete " + key, e);
        }
    }

    /**
     * Deletes the objects under {@code prefix}, then the temp files of unfinished uploads there — what a writer killed
     * before close or abort leaves, never listed, so never deleted as an object (S3's unfinished multipart uploads are
     * aborted alike) — and the directories they leave empty.
     */
    @Override
    public int deletePrefix(String prefix) {
        int n = ObjectStore.super.deletePrefix(prefix);
        int slash = prefix.lastIndexOf('/');
        Path dir = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(dir)) {
            return n;
        }
        List<Path> temps;
        try (Stream<Path> paths = Files.walk(dir)) {
            temps = paths.filter(p -> p.getFileName().toString().startsWith(Keys.TEMP_MARKER) && keyOf(p).startsWith(prefix)).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw failure("cannot delete unfinished uploads under " + prefix, e instanceof java.io.UncheckedIOException u ? u.getCause() : e);
        }
        for (Path temp : temps) {
            try {
                Files.deleteIfExists(temp);
                removeEmptyParents(temp);
            } catch (IOException e) {
                throw deleteFailure("cannot delete an unfinished upload under " + prefix, e);
            }
        }
        removeEmptyDirectories(dir, prefix);
        return n;
    }

    /**
     * Removes the directories under {@code dir} that {@code prefix} covers and hold nothing — a backup that failed on its
     * first file (its upload aborted) has no object to delete, only its directory, which no listing shows and prune would
     * never reach — then the parents they leave empty.
     */
    private void removeEmptyDirectories(Path dir, String prefix) {
        List<Path> dirs;
        try (Stream<Path> paths = Files.walk(dir)) {
            dirs = paths.filter(p -> !p.equals(root) && Files.isDirectory(p) && (keyOf(p) + "/").startsWith(prefix))
                    .sorted(Comparator.reverseOrder()).toList(); // the deepest first
        } catch (IOException | java.io.UncheckedIOException e) {
            IOException cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) e;
            if (cause instanceof NoSuchFileException) {
                return; // gone already: the last temp file's delete took its empty directory with it
            }
            throw failure("cannot list the directories under " + prefix, cause);
        }
        for (Path d : dirs) {
            try {
                Files.delete(d);
                removeEmptyParents(d);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                // it holds an object (or an upload another writer began), or it is gone already
            } catch (IOException e) {
                throw deleteFailure("cannot delete the directory " + prefix, e);
            }
        }
    }

    /** Removes the directories above {@code path} left empty, so that children() and listings stay in step with S3. */
    private void removeEmptyParents(Path path) throws IOException {
        for (Path dir = path.getParent(); dir != null && !dir.equals(root) && dir.startsWith(root); dir = dir.getParent()) {
            try {
                Files.delete(dir);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                break;
            }
        }
    }

    @Override
    public String describe() {
        return root.toUri().toString();
    }

    /** What {@link #missing} says of a root that does not exist. */
    public static final String ABSENT = "does not exist";

    /** What {@link #missing} says of a root that holds nothing at all: an empty mount point, or nothing written here yet. */
    public static final String EMPTY = "is an empty directory";

    /**
     * The root missing, not a directory, or holding nothing at all (no file, no folder; a mounted volume's root holds what
     * was written there, or its lost+found, a mount point with nothing mounted on it nothing): empty when it holds something.
     */
    @Override
    public java.util.Optional<String> missing() {
        if (!Files.isDirectory(root)) {
            return java.util.Optional.of(Files.exists(root) ? "is a file, not a directory" : ABSENT);
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            return entries.iterator().hasNext() ? java.util.Optional.empty() : java.util.Optional.of(EMPTY);
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            return java.util.Optional.empty(); // cannot tell: the listing that follows fails, saying why
        }
    }

    /** The root is a directory this process can write in (made now if it is missing), or a CONFIG error naming it. */
    @Override
    public void checkWritable() {
        try {
            Files.createDirectories(root);
            rootKey = rootKey == null ? rootKey() : rootKey;
        } catch (IOException | SecurityException e) {
            throw TenantctlException.config("store " + describe() + " cannot be written: " + (e instanceof java.nio.file.FileAlreadyExistsException
                    ? "it is a file, not a directory" : io.tenantctl.IoErrors.describe(e))
                    + "; point --store / TENANTCTL_STORE at a directory", e);
        }
        requireWritable(root);
    }

    /** As {@link #checkWritable}, making nothing: a missing root's nearest existing parent is what its making needs to write in. */
    @Override
    public void checkWritableWritingNothing() {
        Path there = root;
        while (there.getParent() != null && !Files.exists(there)) {
            there = there.getParent();
        }
        if (!Files.isDirectory(there)) {
            throw TenantctlException.config("store " + describe() + " cannot be written: " + (there.equals(root) ? "it is a file"
                    : there + " is a file") + ", not a directory; point --store / TENANTCTL_STORE at a directory");
        }
        requireWritable(there);
    }

    /** The folder {@code prefix} names, or the nearest above it that exists below the root (checked by the store-wide check), may be written in. */
    @Override
    public void checkWritableWritingNothing(String prefix) {
        Path there = resolve(Keys.requireDirectoryPrefix(prefix).substring(0, prefix.length() - 1));
        while (!there.equals(root) && !Files.exists(there)) {
            there = there.getParent();
        }
        if (there.equals(root)) {
            return;
        }
        try {
            there.getFileSystem().provider().checkAccess(there, java.nio.file.AccessMode.WRITE);
        } catch (IOException e) {
            throw new FolderRefusesWritesException("store " + describe() + " cannot be written under " + prefix + ": " + io.tenantctl.IoErrors.describe(e)
                    + "; give the user tenantctl runs as write access to " + root + " and the directories under it, or run it as the user "
                    + "that writes the store's backups", e);
        }
    }

    /**
     * The folder {@code prefix} names and the one it is removed from must be directories this process may write in: what its
     * files' deletes and its own removal need. The file system's own answer (permission denied, an immutable directory, a
     * read-only mount) is the refusal such a delete meets; a folder that is not there has nothing to delete.
     */
    @Override
    public void checkDeletableDeletingNothing(String prefix) {
        Path dir = resolve(Keys.requireDirectoryPrefix(prefix).substring(0, prefix.length() - 1));
        if (!Files.isDirectory(dir)) {
            return;
        }
        for (Path d : List.of(dir, dir.getParent())) {
            try {
                d.getFileSystem().provider().checkAccess(d, java.nio.file.AccessMode.WRITE);
            } catch (IOException e) {
                if (deleteFailure("cannot delete " + prefix, e) instanceof StoreRefusesWritesException refused) {
                    throw refused;
                }
            }
        }
    }

    private void requireWritable(Path dir) {
        if (!Files.isWritable(dir)) {
            throw TenantctlException.config("store " + describe() + " cannot be written: permission denied" + (dir.equals(root) ? ""
                    : " on " + dir) + "; point --store / TENANTCTL_STORE at a directory tenantctl may write in");
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    private Path resolve(String key) {
        Keys.requireValid(key);
        Path path;
        try {
            path = root.resolve(key).normalize();
        } catch (java.nio.file.InvalidPathException e) { // bücher under a C locale
            throw new UnnameableKeyException(key, describe(), e);
        }
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("object key escapes the store root: " + key);
        }
        return path;
    }

    private String keyOf(Path path) {
        String key = root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
        if (key.indexOf('\uFFFD') >= 0) {
            // a name this JVM's file-name encoding cannot decode (bücher under a C locale): not a key it can read or name
            // again; its URI keeps the bytes, for the message
            throw new UnnameableKeyException(root.toUri().relativize(path.toUri()).getPath(), describe(), null);
        }
        return key;
    }

    private static boolean hasObjects(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.anyMatch(p -> Files.isRegularFile(p)
                    && !p.getFileName().toString().startsWith(Keys.TEMP_MARKER));
        }
    }

    /**
     * The error for a failed file operation. Permission denied also says what to do: the store's files are written
     * readable by their writer only (600), so a restore run by another user than the backup's met a bare "permission
     * denied on …/manifest.json".
     */
    TenantctlException failure(String what, Exception e) {
        // EMFILE/ENFILE is this process's, not the store's: said so, with the way out, and exit 3 (OutOfDescriptorsException.in)
        TenantctlException.Category category = e instanceof AccessDeniedException || io.tenantctl.OutOfDescriptorsException.in(e).isPresent()
                ? TenantctlException.Category.CONFIG : TenantctlException.Category.FAILED;
        return new TenantctlException(category, io.tenantctl.OutOfDescriptorsException.explained(what + " in " + describe() + ": "
                + io.tenantctl.IoErrors.describe(e) + (e instanceof AccessDeniedException ? "; tenantctl writes the store's files readable "
                + "by their writer only: run it as the user that writes the store's backups, or give this user access to " + root : ""),
                "store"), e);
    }

    /**
     * A delete's failure as {@link #failure} says it, except one the file system refuses as it refuses every delete here (the
     * directory not writable by this user: permission denied; an immutable directory: operation not permitted; a read-only
     * mount), a {@link StoreRefusesWritesException} saying what to allow, as S3's refused delete is: a prune that deleted
     * nothing for it says so once (exit 3), not each backup failed.
     */
    TenantctlException deleteFailure(String what, IOException e) {
        boolean refused = e instanceof AccessDeniedException || e instanceof java.nio.file.FileSystemException f
                && ("Operation not permitted".equals(f.getReason()) || "Read-only file system".equals(f.getReason()));
        return !refused ? failure(what, e) : new StoreRefusesWritesException(what + " in " + describe() + ": "
                + io.tenantctl.IoErrors.describe(e) + "; give the user tenantctl runs as write access to " + root
                + " and the directories under it, or run it as the user that writes the store's backups", e);
    }

    /** Writes to the temp file, renames on close. */
    private final class FileUpload extends GuardedUpload {
        private final Path target;
        private final Path temp;
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);

        FileUpload(String key, Path target, Path temp) throws IOException {
            super(key, describe());
            this.target = target;
            this.temp = temp;
            this.channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            ensureOpen();
            try {
                if (len >= BUFFER) {
                    drain();
                    for (int end = off + len; off < end; off += MAX_WRITE) {
                        writeFully(ByteBuffer.wrap(b, off, Math.min(end - off, MAX_WRITE)));
                    }
                    return;
                }
                while (len > 0) {
                    int n = Math.min(len, buffer.remaining());
                    buffer.put(b, off, n);
                    off += n;
                    len -= n;
                    if (!buffer.hasRemaining()) {
                        drain();
                    }
                }
            } catch (IOException | RuntimeException e) {
                abort();
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            ensureOpen();
            try {
                drain();
            } catch (IOException | RuntimeException e) {
                abort();
                throw e;
            }
        }

        private void drain() throws IOException {
            buffer.flip();
            writeFully(buffer);
            buffer.clear();
        }

        /** A channel may write part of a buffer: this writes all that remains of {@code bytes}. */
        private void writeFully(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        @Override
        public void close() throws IOException {
            if (published) {
                return;
            }
            ensureOpen();
            try {
                drain();
                channel.force(true);
                channel.close();
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                published = true;
            } catch (IOException | RuntimeException e) {
                abort();
                throw new IOException("cannot publish " + key + " in " + describe() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void abort() {
            if (published || aborted) {
                return;
            }
            aborted = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to do: the temp file is deleted below
            }
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a leftover hidden temp file is never listed or read as an object
            }
        }
    }
}
