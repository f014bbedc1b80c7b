package io.tenantctl.ops;

/** How a fan-out op reports progress; the CLI draws a bar or prints periodic lines. Thread-safe. */
public interface Progress {

    Progress NONE = new Progress() {
    };

    default void begin(String what, int total) {
    }

    default void advance(String orgId, boolean ok) {
    }

    default void end() {
    }
}
