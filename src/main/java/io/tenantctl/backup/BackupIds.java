package io.tenantctl.backup;

import io.tenantctl.TenantctlException;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Backup ids: the UTC start time {@code YYYYMMDDTHHMMSSZ}, a dash and six random lowercase alphanumerics,
 * e.g. {@code 20250314T020000Z-k3x9qa}. They sort chronologically as strings.
 */
public final class BackupIds {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern ID = Pattern.compile("\\d{8}T\\d{6}Z-[a-z0-9]{6}");
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private BackupIds() {
    }

    /** A new id for a backup starting now. */
    public static String newId(Clock clock, Random random) {
        StringBuilder id = new StringBuilder(FORMAT.format(clock.instant())).append('-');
        for (int i = 0; i < 6; i++) {
            id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }

    /** Whether {@code id} has the backup id format. */
    public static boolean isValid(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return false;
        }
        try {
            FORMAT.parse(id.substring(0, 16));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Returns {@code id} if valid, else a usage error naming it. */
    public static String requireValid(String id) {
        if (!isValid(id)) {
            // pasted as restore prints it (ORG/ID), or with the blank a copy took along: name the id to give
            String bare = id == null ? null : id.strip().substring(id.strip().lastIndexOf('/') + 1);
            throw TenantctlException.usage("invalid backup id '" + id + "': expected YYYYMMDDTHHMMSSZ-xxxxxx, "
                    + (isValid(bare) ? "the id alone: " + bare + (id.contains("/") ? " (ORG/ID is how restore prints a backup)" : "")
                    : "e.g. 20250314T020000Z-k3x9qa"));
        }
        return id;
    }

    /** The start time encoded in a valid id (second precision). */
    public static Instant timestamp(String id) {
        return Instant.from(FORMAT.parse(requireValid(id).substring(0, 16)));
    }
}
