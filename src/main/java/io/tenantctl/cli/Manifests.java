package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.ops.SchemaInspect;
import io.tenantctl.schema.SchemaManifest;

import java.nio.file.Path;

/** The manifest a command is given: provision's and migrate-all's --schema FILE or --schema-hash SHA256. */
final class Manifests {

    private Manifests() {
    }

    /** Refused (exit 2) when both name a manifest. */
    static void oneOf(Path schema, String schemaHash) {
        if (schema != null && schemaHash != null) {
            throw TenantctlException.usage("--schema and --schema-hash both name the manifest: give one");
        }
    }

    /**
     * The manifest {@code schemaHash} (the catalog keeps every run's) or {@code schema} names, else the built-in LibreChat
     * model. A file is named by its absolute path (the run records it, and verify names it from wherever it runs),
     * normalized only when that is the same file: normalize() drops "dir/.." by its spelling, and through a symlink the
     * file system goes elsewhere.
     */
    static SchemaManifest given(CliContext ctx, Path schema, String schemaHash) {
        return schemaHash != null ? new SchemaInspect(ctx.ops()).recorded(schemaHash)
                : SchemaManifest.loadOrDefault(schema == null ? null : absolute(schema));
    }

    private static Path absolute(Path file) {
        if (file.toString().isEmpty()) {
            return file; // not the working directory: its load refuses it as empty
        }
        Path abs = file.toAbsolutePath();
        try {
            return java.nio.file.Files.isSameFile(abs, abs.normalize()) ? abs.normalize() : abs;
        } catch (java.io.IOException | SecurityException e) {
            return abs; // no such file (its load says so), or not to be looked at: as given
        }
    }
}
