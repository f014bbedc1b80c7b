package io.tenantctl.catalog;

import io.tenantctl.TenantctlException;

import java.util.Arrays;
import java.util.Locale;

/**
 * The status enums as the catalog spells them: a value this tenantctl does not know (a row planted by hand, a newer
 * tenantctl's status) is a USAGE error naming it and the known ones, never an IllegalArgumentException from valueOf.
 */
final class Statuses {

    private Statuses() {
    }

    static <E extends Enum<E>> E of(Class<E> type, String db, String what) {
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(db)) {
                return e;
            }
        }
        throw TenantctlException.usage("unknown " + what + " '" + db + "' (one of "
                + String.join(", ", Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).sorted().toList())
                + ")");
    }
}
