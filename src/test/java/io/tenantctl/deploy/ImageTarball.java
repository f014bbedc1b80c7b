package io.tenantctl.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An image tarball as {@code jib:buildTar} writes it (the {@code docker save} layout: {@code manifest.json}, the
 * config, one gzipped tar per layer), read without a container engine.
 */
final class ImageTarball {

    /** One file of the image's file system, from the last layer that holds it. */
    record FileEntry(String path, int layer, int mode, long size, long mtimeMillis, boolean directory, byte[] head) {
        boolean executable() {
            return (mode & 0111) != 0;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    final JsonNode manifest;
    final JsonNode config;
    final List<Path> layers;
    final Map<String, FileEntry> files = new LinkedHashMap<>();

    private ImageTarball(JsonNode manifest, JsonNode config, List<Path> layers) throws IOException {
        this.manifest = manifest;
        this.config = config;
        this.layers = layers;
        for (int i = 0; i < layers.size(); i++) {
            try (TarArchiveInputStream in = layer(layers.get(i))) {
                for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                    byte[] head = e.isFile() ? in.readNBytes(16) : new byte[0];
                    String path = path(e);
                    files.put(path, new FileEntry(path, i, e.getMode(), e.getSize(), e.getModTime().getTime(), e.isDirectory(), head));
                }
            }
        }
    }

    /** Unpacks the outer tarball into {@code work} and lists every layer. */
    static ImageTarball read(Path tarball, Path work) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(tarball)))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                Path target = work.resolve(e.getName()).normalize();
                if (!target.startsWith(work) || e.isDirectory()) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        JsonNode manifest = JSON.readTree(work.resolve("manifest.json").toFile()).get(0);
        JsonNode config = JSON.readTree(work.resolve(manifest.get("Config").asText()).toFile());
        List<Path> layers = new ArrayList<>();
        manifest.get("Layers").forEach(l -> layers.add(work.resolve(l.asText())));
        return new ImageTarball(manifest, config, layers);
    }

    List<String> entrypoint() {
        List<String> out = new ArrayList<>();
        config.path("config").path("Entrypoint").forEach(a -> out.add(a.asText()));
        return out;
    }

    /** The image's file system in {@code root}: layers in order, with their modes and modification times. */
    void extractTo(Path root) throws IOException {
        for (Path layer : layers) {
            try (TarArchiveInputStream in = layer(layer)) {
                for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                    Path target = root.resolve(path(e).substring(1)).normalize();
                    if (!target.startsWith(root)) {
                        throw new IOException("layer entry outside the image: " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (e.isSymbolicLink()) {
                        Files.createDirectories(target.getParent());
                        Files.deleteIfExists(target);
                        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                        continue;
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.setPosixFilePermissions(target, permissions(e.getMode()));
                    Files.setLastModifiedTime(target, FileTime.fromMillis(e.getModTime().getTime()));
                }
            }
        }
    }

    private static TarArchiveInputStream layer(Path gz) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(gz));
        return new TarArchiveInputStream(new GzipCompressorInputStream(raw));
    }

    /** "/app/tenantctl.jar" for "app/tenantctl.jar", "./app/", "/app/". */
    private static String path(TarArchiveEntry e) {
        String name = e.getName();
        while (name.startsWith("./") || name.startsWith("/")) {
            name = name.substring(name.startsWith("./") ? 2 : 1);
        }
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        return "/" + name;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                out.add(bits[i]);
            }
        }
        return out;
    }
}
