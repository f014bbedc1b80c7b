package io.tenantctl.catalog;

import io.tenantctl.PostgresUrl;
import io.tenantctl.TenantctlException;

/**
 * A catalog location in one of the forms {@link PostgresUrl} takes, split into a JDBC URL and credentials.
 * {@link PostgresUrl#describe()} is the only form that may be printed: hosts, ports and database, never secrets.
 */
public final class CatalogUrl {

    private CatalogUrl() {
    }

    public static PostgresUrl parse(String raw) {
        return parse(raw, null);
    }

    /**
     * As {@link #parse(String)}; {@code source} says where the URL was given ("--catalog", a config file's key, or null):
     * an empty value given there is named as that, not as no catalog given.
     */
    public static PostgresUrl parse(String raw, String source) {
        if (raw != null && raw.isBlank() && "TENANTCTL_CATALOG_URL".equals(source)) {
            throw TenantctlException.usage("no catalog given: TENANTCTL_CATALOG_URL is set but empty — set it to the catalog's URL "
                    + "(postgres://…), or pass --catalog URL");
        }
        if (raw != null && raw.isBlank() && source != null && !source.equals(Catalog.DEFAULT_SOURCE)) {
            throw TenantctlException.usage(source + " is empty: pass the catalog's URL (postgres://…) or set TENANTCTL_CATALOG_URL");
        }
        if (raw == null || raw.isBlank()) {
            throw TenantctlException.usage("no catalog given: pass --catalog or set TENANTCTL_CATALOG_URL "
                    + "(jdbc:postgresql://host:5432/db, postgres://user:password@host:5432/db)");
        }
        String s = PostgresUrl.lowerScheme(raw.trim());
        if (!PostgresUrl.hasScheme(s)) {
            throw TenantctlException.usage("catalog URL must start with jdbc:postgresql://, postgres:// or postgresql:// ("
                    + scheme(s) + ")");
        }
        return PostgresUrl.parse(s, "catalog URL", redact(raw));
    }

    /** What the value starts with, if a scheme: nothing else of it is quoted (a password put there by mistake). */
    private static String scheme(String s) {
        int i = s.indexOf(':');
        return i > 0 && s.substring(0, i).matches("[A-Za-z][A-Za-z0-9+.-]{0,19}") ? "got '" + s.substring(0, i) + ":...'"
                : "got a value with no scheme, not quoted";
    }

    /** The URL with any user:password@ and password= parameter masked. */
    static String redact(String raw) {
        // a password= option first, to the next '&' (it may hold '@'); then userinfo up to the last '@' left: a password may
        // hold '/' or '@'
        return raw.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//.*@", "//***@");
    }
}
