package io.tenantctl.backup;

import io.tenantctl.TenantctlException;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Where a backup's objects live in a store:
 * <pre>
 * [prefix/]org_id/backup_id/collection.ndjson.gz   one canonical Extended JSON v2 document per line
 * [prefix/]org_id/backup_id/manifest.json          written last; its presence = backup complete
 * </pre>
 * Collection names are percent-encoded into file names where needed ('/', '%', control characters, a leading
 * '.'), so every name maps to one safe file; the manifest records each file name, so readers never derive it.
 *
 * @param prefix key prefix inside the store, without leading or trailing '/'; "" for none
 */
public record BackupLayout(String prefix) {

    /** The manifest's file name. */
    public static final String MANIFEST = "manifest.json";

    private static final Pattern ORG_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,46}");

    public BackupLayout {
        prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
    }

    /** The layout at the store root. */
    public static BackupLayout root() {
        return new BackupLayout("");
    }

    /** {@code [prefix/]org_id/}: every backup of one org. */
    public String orgPrefix(String orgId) {
        return (prefix.isEmpty() ? "" : prefix + "/") + requireOrgId(orgId) + "/";
    }

    /** {@code [prefix/]org_id/backup_id/}: every file of one backup. */
    public String backupPrefix(String orgId, String backupId) {
        return orgPrefix(orgId) + BackupIds.requireValid(backupId) + "/";
    }

    /** The manifest's key. */
    public String manifestKey(String orgId, String backupId) {
        return backupPrefix(orgId, backupId) + MANIFEST;
    }

    /** The key of a file (as named in the manifest) of a backup. */
    public String fileKey(String orgId, String backupId, String file) {
        requireFileName(file);
        return backupPrefix(orgId, backupId) + file;
    }

    /** The file name of a collection: encoded name + {@code .ndjson} + compression extension. */
    public static String collectionFileName(String collection, Compression compression) {
        if (collection == null || collection.isEmpty()) {
            throw new IllegalArgumentException("collection name must not be empty");
        }
        StringBuilder sb = new StringBuilder();
        byte[] utf8 = collection.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < utf8.length; i++) {
            int b = utf8[i] & 0xff;
            boolean safe = b >= 0x80 || Character.isLetterOrDigit(b) || b == '_' || b == '-'
                    || (b == '.' && i > 0) || b == '$' || b == '+' || b == '=' || b == '@' || b == ',';
            if (safe && b < 0x80) {
                sb.append((char) b);
            } else if (b >= 0x80) {
                // keep UTF-8 names readable: re-decode the full code point below
                int len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
                sb.append(new String(utf8, i, Math.min(len, utf8.length - i), StandardCharsets.UTF_8));
                i += len - 1;
            } else {
                sb.append('%').append(String.format("%02X", b));
            }
        }
        return shortened(sb.toString(), utf8) + ".ndjson" + compression.extension();
    }

    /**
     * As {@link #collectionFileName(String, Compression)}, unless a file system that ignores case or Unicode normalization
     * (macOS's APFS, Windows, an SMB share) would take it for one of {@code taken}: MongoDB tells "Users" from "users" and a
     * composed "é" from a decomposed one, so two collections would share one file there. Then the name ends in '~' and 16
     * hex digits of the SHA-256 of the collection's name ('~' is %7E in an encoded name, so it equals no whole one).
     */
    public static String collectionFileName(String collection, Compression compression, java.util.Collection<String> taken) {
        String file = collectionFileName(collection, compression);
        if (taken.stream().noneMatch(t -> folded(t).equals(folded(file)))) {
            return file;
        }
        String ext = ".ndjson" + compression.extension();
        return file.substring(0, file.length() - ext.length()) + "~" + sha16(collection.getBytes(StandardCharsets.UTF_8)) + ext;
    }

    /** A file name as a case- and normalization-insensitive file system compares it. */
    private static String folded(String file) {
        return java.text.Normalizer.normalize(file, java.text.Normalizer.Form.NFC).toUpperCase(java.util.Locale.ROOT)
                .toLowerCase(java.util.Locale.ROOT);
    }

    private static String sha16(byte[] utf8) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(utf8), 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Encoded names this long (in UTF-8 bytes) are cut: a file system's name limit is 255 bytes, and MongoDB allows more. */
    static final int MAX_ENCODED_BYTES = 180;

    /**
     * {@code encoded} as it is when it fits, else its first characters up to {@link #MAX_ENCODED_BYTES} bytes (never half a
     * character or half a %XX) + '~' + 16 hex digits of the SHA-256 of the full name: '~' is always %7E in an encoded
     * name, so a cut name never equals another's whole one. The manifest records the file, so nothing reads it back.
     */
    private static String shortened(String encoded, byte[] utf8) {
        if (encoded.getBytes(StandardCharsets.UTF_8).length <= MAX_ENCODED_BYTES) {
            return encoded;
        }
        StringBuilder cut = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < encoded.length(); ) {
            int cp = encoded.codePointAt(i);
            int n = cp == '%' ? 3 : Character.charCount(cp);
            String piece = encoded.substring(i, Math.min(encoded.length(), i + n));
            int size = piece.getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > MAX_ENCODED_BYTES) {
                break;
            }
            cut.append(piece);
            bytes += size;
            i += n;
        }
        return cut + "~" + sha16(utf8);
    }

    /** Checks a manifest-provided file name: one path segment, not the manifest, not hidden. */
    static String requireFileName(String file) {
        if (file == null || file.isEmpty() || file.contains("/") || file.contains("\\") || file.startsWith(".")
                || file.equals(MANIFEST) || file.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("invalid backup file name: " + file);
        }
        return file;
    }

    /** Returns {@code orgId} if it is a valid org id, else a usage error naming it. */
    public static String requireOrgId(String orgId) {
        if (orgId == null || !ORG_ID.matcher(orgId).matches()) {
            throw TenantctlException.usage("invalid org id '" + orgId + "': expected ^[a-z0-9][a-z0-9_-]{0,46}$");
        }
        return orgId;
    }
}
