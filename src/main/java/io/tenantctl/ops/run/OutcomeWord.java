package io.tenantctl.ops.run;

import java.util.Locale;

/** A verb's outcome enum: spelled in lower case in -o json and in run reports ({@link OutcomeNames}). */
public interface OutcomeWord {

    String name();

    @com.fasterxml.jackson.annotation.JsonValue
    default String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The constant of {@code type} a report spells {@code word}, or {@code otherwise} (an org not finished). */
    static <E extends Enum<E> & OutcomeWord> E of(Class<E> type, String word, E otherwise) {
        for (E e : type.getEnumConstants()) {
            if (e.json().equals(word)) {
                return e;
            }
        }
        return otherwise;
    }
}
