package io.tenantctl.catalog;

import io.tenantctl.TenantctlException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A status the catalog holds that this tenantctl does not know (planted by hand, or written by a newer version) is a
 * usage error naming it and the known ones: before issue 14 a pool, run, run item or move status went through
 * {@code valueOf} and ended as "unexpected IllegalArgumentException", exit 1.
 */
class StatusesTest {

    @Test
    void everyCatalogStatusRefusesAnUnknownValueByName() {
        assertUnknown(() -> PoolStatus.of("weird"), "unknown pool status 'weird' (one of active, disabled, draining)");
        assertUnknown(() -> RunStatus.of("weird"), "unknown run status 'weird'");
        assertUnknown(() -> ItemStatus.of("weird"), "unknown run item status 'weird'");
        assertUnknown(() -> MoveState.of("weird"), "unknown move state 'weird'");
        assertUnknown(() -> OrgStatus.of("weird"), "unknown org status 'weird'");
    }

    @Test
    void knownValuesReadAsBefore() {
        assertThat(PoolStatus.of("draining")).isEqualTo(PoolStatus.DRAINING);
        assertThat(RunStatus.of("succeeded")).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(ItemStatus.of("unchanged")).isEqualTo(ItemStatus.UNCHANGED);
        for (MoveState s : MoveState.values()) {
            assertThat(MoveState.of(s.db())).isEqualTo(s);
        }
    }

    private static void assertUnknown(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(TenantctlException.class, e -> {
            assertThat(e.category()).isEqualTo(TenantctlException.Category.USAGE);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
