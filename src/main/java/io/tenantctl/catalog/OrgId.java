package io.tenantctl.catalog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Org id rules and the database name derived from an id (see ARCHITECTURE.md, "Org ids"). */
public final class OrgId {

    private static final Pattern VALID = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,46}$");
    private static final Set<String> RESERVED = Set.of("admin", "config", "local", "system");

    private OrgId() {
    }

    /** Why {@code id} is not a valid org id, or null when it is. */
    public static String problem(String id) {
        if (id == null || id.isEmpty()) {
            return "org id is empty";
        }
        if (!VALID.matcher(id).matches()) {
            return "org id '" + id + "' must match ^[a-z0-9][a-z0-9_-]{0,46}$ (lowercase letters, digits, '-' and '_', at most 47 characters)";
        }
        String db = databaseName(id);
        if (RESERVED.contains(db)) {
            return "org id '" + id + "' maps to reserved database name '" + db + "'";
        }
        return null;
    }

    /** {@code id}, refused (a usage error, exit 2, in {@link #problem}'s words) unless it is a valid org id: every verb's wording. */
    public static String require(String id) {
        String problem = problem(id);
        if (problem != null) {
            throw io.tenantctl.TenantctlException.usage(problem);
        }
        return id;
    }

    /** Every problem among {@code ids}, one message each, in input order. */
    public static List<String> problems(Collection<String> ids) {
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            String p = problem(id);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** Why {@code ids} cannot all be provisioned side by side: pairs that map to one database name ('-' and '_' are the same). */
    public static List<String> clashes(Collection<String> ids) {
        java.util.Map<String, String> byDatabase = new java.util.HashMap<>();
        List<String> out = new ArrayList<>();
        for (String id : new java.util.LinkedHashSet<>(ids)) {
            String other = byDatabase.putIfAbsent(databaseName(id), id);
            if (other != null) {
                out.add("org ids '" + other + "' and '" + id + "' both map to database " + databaseName(id));
            }
        }
        return out;
    }

    /** {@code tier}, refused (exit 2) unless it is a valid tier name. */
    public static String requireTier(String tier) {
        if (tier == null || !TIER.matcher(tier).matches()) {
            throw io.tenantctl.TenantctlException.usage("tier '" + tier + "' must match ^[a-z][a-z0-9_-]{0,31}$");
        }
        return tier;
    }

    private static final Pattern TIER = Pattern.compile("^[a-z][a-z0-9_-]{0,31}$");
    private static final Pattern BAD_DATABASE_CHARS = Pattern.compile("[/\\\\. \"$*<>:|?\\x00]");

    /**
     * Whether a pool can hold a database named {@code name}: 1 to 63 bytes (UTF-8), none of /\. "$*<>:|? (nor NUL) — the
     * pool's rule, so a database a pool lists (org_é) can be adopted and schema-captured alike.
     */
    public static boolean isDatabaseName(String name) {
        return name != null && !name.isEmpty() && name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 63
                && !BAD_DATABASE_CHARS.matcher(name).find();
    }

    /** Why {@code name} cannot be an org's database (one given with {@code --database}), or null when it can. */
    public static String databaseProblem(String name) {
        if (!isDatabaseName(name)) {
            return "database name '" + name + "' must be 1 to 63 bytes, none of /\\. \"$*<>:|?";
        }
        if (RESERVED.contains(name)) {
            return "database '" + name + "' is a system database";
        }
        return null;
    }

    /** The org id a database made by tenantctl (or the scripts before it) belongs to: org_acme_1 → acme_1; else null. */
    public static String suggestedId(String databaseName) {
        if (!databaseName.startsWith("org_")) {
            return null;
        }
        String id = databaseName.substring(4);
        return problem(id) == null ? id : null;
    }

    /** {@code org_} + id with '-' replaced by '_'; at most 51 bytes, always a legal MongoDB database name. */
    public static String databaseName(String id) {
        return "org_" + id.replace('-', '_');
    }
}
