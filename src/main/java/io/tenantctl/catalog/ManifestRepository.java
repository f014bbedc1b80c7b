package io.tenantctl.catalog;

import java.util.Optional;

/** Every manifest ever applied, by hash: lets migrate-all diff manifests instead of asking every pool. */
public final class ManifestRepository {

    private final Catalog catalog;

    ManifestRepository(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Stores the canonical body under its hash (a no-op when already stored). */
    public void save(String hash, String source, String canonicalJson) {
        catalog.inConnection(c -> Sql.update(c,
                "insert into manifests (hash, source, body) values (?, ?, ?) on conflict (hash) do nothing", hash, source, canonicalJson));
    }

    /** Every stored manifest: hash → canonical body. */
    public java.util.Map<String, String> all() {
        return catalog.inConnection(c -> {
            java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
            for (String[] row : Sql.query(c, "select hash, body from manifests order by hash", rs -> new String[]{rs.getString(1), rs.getString(2)})) {
                out.put(row[0], row[1]);
            }
            return out;
        });
    }

    /** When each stored manifest was first recorded (the catalog's clock): hash → time. */
    public java.util.Map<String, java.time.Instant> recordedAt() {
        return catalog.inConnection(c -> {
            java.util.Map<String, java.time.Instant> out = new java.util.HashMap<>();
            for (Object[] row : Sql.query(c, "select hash, created_at from manifests", rs -> new Object[]{rs.getString(1), Sql.instant(rs, "created_at")})) {
                out.put((String) row[0], (java.time.Instant) row[1]);
            }
            return out;
        });
    }

    /** The recorded hashes that start with {@code prefix} (at most {@code limit}). */
    public java.util.List<String> hashesStartingWith(String prefix, int limit) {
        return catalog.inConnection(c -> Sql.query(c, "select hash from manifests where starts_with(hash, ?) order by hash limit ?",
                rs -> rs.getString(1), prefix, limit));
    }

    public Optional<String> body(String hash) {
        if (hash == null) {
            return Optional.empty();
        }
        return catalog.inConnection(c -> Sql.one(c, "select body from manifests where hash = ?", rs -> rs.getString(1), hash));
    }
}
