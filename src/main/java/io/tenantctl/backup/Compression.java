package io.tenantctl.backup;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.github.luben.zstd.BufferPool;
import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;

import io.tenantctl.TenantctlException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** How collection files are compressed; the manifest records it as {@link #id()}. */
public enum Compression {
    /** gzip: readable with zcat everywhere. Level 1: 7x faster than level 6 on chat text, files ~30% larger. */
    GZIP("gzip", ".gz"),
    /** Zstandard, level 1 (the default): faster than gzip level 1, and smaller. Needs zstd-jni's native library. */
    ZSTD("zstd", ".zst"),
    /** Plain NDJSON. */
    NONE("none", "");

    private static final int BUFFER = 64 * 1024;

    private final String id;
    private final String extension;

    Compression(String id, String extension) {
        this.id = id;
        this.extension = extension;
    }

    /** The name used in manifests and on the command line: gzip, zstd or none. */
    @JsonValue
    public String id() {
        return id;
    }

    /** The file-name suffix after {@code .ndjson}: {@code .gz}, {@code .zst} or empty. */
    public String extension() {
        return extension;
    }

    /** Wraps {@code out} so that what is written to the result is stored compressed; closing it closes {@code out}. */
    public OutputStream compress(OutputStream out) throws IOException {
        return compress(out, false);
    }

    /**
     * As {@link #compress(OutputStream)}; {@code large} (more than a buffer's worth of content) lets zstd compress on
     * a worker thread of its own while the caller goes on encoding, which roughly halves a large backup's wall time.
     * Small files do without: starting a thread would cost more than it saves.
     */
    public OutputStream compress(OutputStream out, boolean large) throws IOException {
        return switch (this) {
            case GZIP -> new GZIPOutputStream(out, BUFFER) {
                {
                    def.setLevel(java.util.zip.Deflater.BEST_SPEED); // a backup is waited for; storage is cheap
                }
            };
            case ZSTD -> {
                requireAvailable();
                ZstdOutputStream z = new ZstdOutputStream(out, zstdBuffers(), 1);
                if (large) {
                    z.setWorkers(1);
                }
                yield z;
            }
            case NONE -> out;
        };
    }

    /** Wraps {@code in} to read the uncompressed content; closing the result closes {@code in}. */
    public InputStream decompress(InputStream in) throws IOException {
        return switch (this) {
            case GZIP -> new GZIPInputStream(in, BUFFER);
            case ZSTD -> {
                requireReadable();
                yield new ZstdInputStream(in, zstdBuffers());
            }
            case NONE -> in;
        };
    }

    /**
     * A config error (exit 3) unless this compression can run in this process: zstd's native library, which zstd-jni
     * unpacks into java.io.tmpdir and loads from there, fails to load where that directory is missing, read-only or
     * mounted noexec (a container's /tmp) — checked before a run is recorded, rather than failing every org.
     */
    public void requireAvailable() {
        requireAvailable("give it such a directory (JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR), or back up with --compression gzip");
    }

    /**
     * As {@link #requireAvailable()}, with the way out the caller can offer: a write whose compression the operator does
     * not choose (orgs delete's final backup) must not advise {@code --compression}.
     */
    public void requireAvailable(String wayOut) {
        require(wayOut);
    }

    /**
     * Where zstd streams take their 128 KB buffers from, and give them back on close: allocating them for each stream
     * made opening one cost ~350 us instead of ~18 us (measured), and a LibreChat org has 47 collections. Not a
     * constant: the pool's class initialiser loads zstd's native library, which must not happen before
     * {@link #require} has said, as a config error, that it cannot (nor at all for gzip or none).
     */
    private static BufferPool zstdBuffers() {
        return RecyclingBufferPool.INSTANCE;
    }

    /**
     * As {@link #requireAvailable()}, for reading a backup written with this compression: the way out is a directory
     * zstd can load from (taking a new backup instead would make the data to be undone the org's newest backup).
     */
    public void requireReadable() {
        require("run tenantctl with such a directory (JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR)");
    }

    private void require(String wayOut) {
        if (this != ZSTD) {
            return;
        }
        try {
            com.github.luben.zstd.util.Native.load();
        } catch (LinkageError e) {
            throw unavailable(e, wayOut);
        }
    }

    /**
     * The config error for a native library that did not load: one line, the loader's first (what the system said: "failed
     * to map segment from shared object" for a noexec /tmp). zstd-jni's message has three, the last two its fallbacks'
     * ("no zstd-jni in java.library.path", "Unsupported OS/arch … Please try building from source"), which sent an
     * operator whose /tmp was noexec off to build zstd-jni.
     */
    static TenantctlException unavailable(LinkageError e, String wayOut) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip().lines().findFirst().orElse("").strip();
        return TenantctlException.config("zstd cannot run here: its native library did not load (" + why + "); zstd-jni "
                + "unpacks it into java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + "), which must be writable and allow exec "
                + "(a /tmp mounted noexec does not): " + wayOut, e);
    }

    /** Parses gzip|zstd|none (case-insensitive); anything else is a usage error naming the value. */
    @JsonCreator
    public static Compression of(String id) {
        if (id != null) {
            for (Compression c : values()) {
                if (c.id.equals(id.toLowerCase(Locale.ROOT))) {
                    return c;
                }
            }
        }
        throw TenantctlException.usage("unknown compression '" + id + "': expected one of "
                + Arrays.stream(values()).map(Compression::id).collect(Collectors.joining(", ")));
    }
}
