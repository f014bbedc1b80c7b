package io.tenantctl.backup;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.tenantctl.TenantctlException;

import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code manifest.json} of a backup: written last, so its presence means the backup is complete.
 * Times are ISO-8601 strings in JSON; index documents are canonical Extended JSON objects.
 *
 * @param formatVersion  {@link #FORMAT_VERSION}; readers refuse higher versions
 * @param compression    how every collection file is compressed
 * @param collections    one entry per collection, in dump order
 * @param catalogId      the id of the catalog that took the backup; null in a manifest written before catalogs had one
 * @param org            what that catalog said of the org at the time; null in a manifest written before manifests said it
 */
@JsonPropertyOrder({"formatVersion", "orgId", "backupId", "catalogId", "sourcePool", "sourceDatabase", "schemaHash", "org",
        "startedAt", "finishedAt", "compression", "collections"})
public record BackupManifest(int formatVersion, String orgId, String backupId, String sourcePool,
                             String sourceDatabase, String schemaHash,
                             @JsonFormat(shape = JsonFormat.Shape.STRING) Instant startedAt,
                             @JsonFormat(shape = JsonFormat.Shape.STRING) Instant finishedAt,
                             Compression compression, List<CollectionEntry> collections,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String catalogId,
                             @JsonInclude(JsonInclude.Include.NON_NULL) OrgState org) {

    /**
     * What the catalog said of the org when it was backed up: what a catalog rebuilt without that one ({@code orgs adopt})
     * or restored from an older dump learns from the store alone.
     *
     * @param tier    the org's tier
     * @param status  the status it had before any freeze of the backup's own (active or read_only); for a delete's final
     *                backup, the status undoing the delete puts back
     * @param purpose {@link #DELETE} for the final backup of {@code orgs delete}: the org was being deleted; null otherwise
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OrgState(String tier, String status, String purpose) {
        public static final String DELETE = "delete";

        /** Whether this is the final backup of a delete: the org it holds was deleted once it was taken. */
        @JsonIgnore
        public boolean deleted() {
            return DELETE.equals(purpose);
        }
    }

    /** The format version this tenantctl writes and the highest it reads. */
    public static final int FORMAT_VERSION = 1;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public BackupManifest {
        collections = collections == null ? List.of() : List.copyOf(collections);
    }

    /** A manifest that names no catalog (as those written before catalogs had an id). */
    public BackupManifest(int formatVersion, String orgId, String backupId, String sourcePool, String sourceDatabase, String schemaHash,
                          Instant startedAt, Instant finishedAt, Compression compression, List<CollectionEntry> collections) {
        this(formatVersion, orgId, backupId, sourcePool, sourceDatabase, schemaHash, startedAt, finishedAt, compression, collections, null, null);
    }

    /** Total documents over all collections. */
    @JsonIgnore
    public long totalDocs() {
        return collections.stream().mapToLong(CollectionEntry::docs).sum();
    }

    /** Total stored bytes of all collection files (the manifest excluded). */
    @JsonIgnore
    public long totalBytes() {
        return collections.stream().mapToLong(CollectionEntry::bytes).sum();
    }

    /** The entry of a collection, if the backup has it. */
    public Optional<CollectionEntry> collection(String name) {
        return collections.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The manifest as pretty-printed UTF-8 JSON. */
    public byte[] toJson() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise manifest of backup " + backupId, e);
        }
    }

    /**
     * Parses and validates a manifest read from {@code key}. A higher format version is a usage error (upgrade
     * tenantctl); malformed JSON or missing/invalid fields are a {@link BackupIntegrityException}.
     */
    public static BackupManifest fromJson(byte[] json, String key) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BackupIntegrityException(key, key + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new BackupIntegrityException(key, key + " cannot be parsed: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new BackupIntegrityException(key, key + " is not a JSON object");
        }
        JsonNode version = tree.get("formatVersion");
        if (version == null || !version.canConvertToInt() || !version.isIntegralNumber() || version.intValue() < 1) {
            throw new BackupIntegrityException(key, key + " has no valid formatVersion");
        }
        if (version.intValue() > FORMAT_VERSION) {
            throw TenantctlException.usage(key + " has backup format version " + version.intValue()
                    + ", but this tenantctl reads only version " + FORMAT_VERSION + ": upgrade tenantctl to read it");
        }
        BackupManifest manifest;
        try {
            manifest = MAPPER.treeToValue(tree, BackupManifest.class);
        } catch (IOException | RuntimeException e) {
            Throwable cause = e.getCause() instanceof TenantctlException t ? t : e;
            throw new BackupIntegrityException(key, key + " is malformed: " + cause.getMessage(), e);
        }
        manifest.validate(key);
        return manifest;
    }

    private void validate(String key) {
        require(orgId != null && !orgId.isEmpty(), key, "orgId is missing");
        require(backupId != null && !backupId.isEmpty(), key, "backupId is missing");
        require(startedAt != null && finishedAt != null, key, "startedAt/finishedAt are missing");
        require(compression != null, key, "compression is missing");
        Set<String> names = new HashSet<>();
        Set<String> files = new HashSet<>();
        for (CollectionEntry c : collections) {
            require(c != null && c.name() != null && !c.name().isEmpty(), key, "a collection has no name");
            require(names.add(c.name()), key, "collection " + c.name() + " is listed twice");
            require(c.file() != null && files.add(c.file()), key, "collection " + c.name() + " has no or a duplicate file");
            try {
                BackupLayout.requireFileName(c.file());
            } catch (IllegalArgumentException e) {
                throw new BackupIntegrityException(key, key + " is malformed: collection " + c.name() + ": "
                        + e.getMessage());
            }
            require(c.docs() >= 0 && c.bytes() >= 0, key, "collection " + c.name() + " has negative counts");
            require(c.sha256() != null && SHA256.matcher(c.sha256()).matches(), key,
                    "collection " + c.name() + " has no valid sha256");
        }
    }

    private static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new BackupIntegrityException(key, key + " is malformed: " + problem);
        }
    }
}
